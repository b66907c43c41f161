import { Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  LoginService,
  type LoginAccounts,
  type LoginQrCode,
  type LoginStatus,
} from './login.service';

/** The demo's login API: a QR code to scan (on one account), and its status to poll. */
@Controller('login')
export class LoginController {
  constructor(private readonly login: LoginService) {}

  /** The accounts a code can be issued on. */
  @Get('accounts')
  accounts(): LoginAccounts {
    return this.login.listAccounts();
  }

  /** `?account=<name>` issues the code on that account; without it, on the default account. */
  @Post('qrcode')
  createQrCode(@Query('account') account?: string): Promise<LoginQrCode> {
    return this.login.createQrCode(typeof account === 'string' ? account : undefined);
  }

  @Get('qrcode/:scene')
  status(@Param('scene') scene: string): Promise<LoginStatus> {
    return this.login.status(scene);
  }
}
