import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { jssdkSignature, normalizeJssdkUrl } from '../core/jssdk-signature';
import { WechatValidationError } from '../errors/wechat-api.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { WECHAT_OPTIONS } from '../wechat.constants';
import { JsapiTicketService } from './jsapi-ticket.service';
import type { WechatJssdkConfig, WechatJssdkConfigRequest } from './wechat-jssdk.interfaces';

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The JS-SDK for pages shown inside WeChat: the `wx.config` object for a page URL, signed with the
 * account's fleet-wide jsapi_ticket ({@link JsapiTicketService}).
 *
 * ```ts
 * @Get('jssdk/config')
 * config(@Query('url') url: string) {
 *   return this.jssdk.getConfig({ url, jsApiList: ['updateAppMessageShareData'] });
 * }
 * ```
 */
@Injectable()
export class WechatJssdkService {
  /**
   * @param options the account's resolved options.
   * @param tickets the account's jsapi_ticket.
   */
  constructor(
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
    private readonly tickets: JsapiTicketService,
  ) {}

  /**
   * The `wx.config` object for one page.
   *
   * @throws WechatValidationError (field `url` or `jsApiList`) for a bad URL (not absolute
   *   http(s), contains `&amp;`) or a list that is not strings; before any call to WeChat.
   * @throws WechatApiError when the jsapi_ticket cannot be had (45009 quota, …).
   */
  async getConfig(request: WechatJssdkConfigRequest): Promise<WechatJssdkConfig> {
    const url = normalizeJssdkUrl(request?.url);
    const jsApiList = stringList(request.jsApiList, 'jsApiList');
    const openTagList = stringList(request.openTagList ?? [], 'openTagList');
    const debug = request.debug === true;
    const ticket = await this.tickets.getTicket();
    const timestamp = Math.floor(Date.now() / 1000);
    const nonceStr = nonce(16);
    const { signature, signed } = jssdkSignature({ ticket, nonceStr, timestamp, url });
    const config: WechatJssdkConfig = {
      debug,
      appId: this.options.appId,
      timestamp,
      nonceStr,
      signature,
      jsApiList,
      openTagList,
    };
    if (debug) config.signed = signed;
    return config;
  }
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw new WechatValidationError(field, 'must be an array of non-empty strings.');
  }
  return [...(value as string[])];
}

/** `length` characters of [A-Za-z0-9], uniformly random. */
function nonce(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 62 × 4 = 248: bytes at or above it would skew the distribution.
      if (byte < 248 && out.length < length) out += NONCE_ALPHABET[byte % 62];
    }
  }
  return out;
}
