import { Controller, Get, Header } from '@nestjs/common';
import { FAVICON_SVG, LOGIN_PAGE_HTML } from './login-page.html';

/** Serves the demo's login page at `GET /` and its icon. */
@Controller()
export class LoginPageController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(): string {
    return LOGIN_PAGE_HTML;
  }

  @Get('favicon.ico')
  @Header('Content-Type', 'image/svg+xml')
  @Header('Cache-Control', 'public, max-age=86400')
  favicon(): string {
    return FAVICON_SVG;
  }
}
