import { BadRequestException, Controller, Get, Query } from '@nestjs/common';
import { WechatAccounts, WechatValidationError, type WechatJssdkConfig } from '@app/wechat';
import { accountOf } from './auth.controller';

/** The JS APIs the demo's pages may call. */
const JS_API_LIST = ['updateAppMessageShareData', 'updateTimelineShareData', 'scanQRCode'];

/** `GET /jssdk/config?url=<the page's URL>[&account=name]` → the `wx.config` object. */
@Controller('jssdk')
export class JssdkController {
  constructor(private readonly accounts: WechatAccounts) {}

  @Get('config')
  async config(
    @Query('url') url?: string,
    @Query('account') account?: string,
  ): Promise<WechatJssdkConfig> {
    const { jssdk } = accountOf(this.accounts, account);
    try {
      return await jssdk.getConfig({ url: url ?? '', jsApiList: JS_API_LIST });
    } catch (error: unknown) {
      if (error instanceof WechatValidationError) throw new BadRequestException(error.message);
      throw error;
    }
  }
}
