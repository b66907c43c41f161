import { Controller, Get, Header } from '@nestjs/common';
import { LOGIN_PAGE_HTML } from './login-page.html';

/** Serves the demo's login page at `GET /`. */
@Controller()
export class LoginPageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(): string {
    return LOGIN_PAGE_HTML;
  }
}
