import { Controller, Get, Param, Post } from '@nestjs/common';
import { LoginService, type LoginQrCode, type LoginStatus } from './login.service';

/** The demo's login API: a QR code to scan, and its status to poll. */
@Controller('login')
export class LoginController {
  constructor(private readonly login: LoginService) {}

  @Post('qrcode')
  createQrCode(): Promise<LoginQrCode> {
    return this.login.createQrCode();
  }

  @Get('qrcode/:scene')
  status(@Param('scene') scene: string): Promise<LoginStatus> {
    return this.login.status(scene);
  }
}
