import { WechatApiError } from '../errors/wechat-api.error';
import type { CredentialRefusalCodec } from './shared-credential.interface';

/** What is shared of a {@link WechatApiError}: its path, errcode and (already redacted) errmsg. */
interface SharedRefusal {
  readonly path: string;
  readonly errcode: number;
  readonly errmsg: string;
}

/**
 * Refusals of WeChat's credential endpoints: every {@link WechatApiError} (an errcode answer, after
 * the retries for `-1`) is shared and comes back as a `WechatApiError` with the same path, errcode
 * and errmsg (so the same message and hint). Network errors, timeouts and bad answers
 * (`WechatHttpError`) are not: they are this process's trouble, not WeChat's answer.
 */
export const wechatApiRefusalCodec: CredentialRefusalCodec = {
  encode(error: unknown): string | undefined {
    if (!(error instanceof WechatApiError)) return undefined;
    const refusal: SharedRefusal = {
      path: error.path,
      errcode: error.errcode,
      errmsg: error.errmsg,
    };
    return JSON.stringify(refusal);
  },

  decode(text: string): Error | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    const { path, errcode, errmsg } = (parsed ?? {}) as Partial<
      Record<keyof SharedRefusal, unknown>
    >;
    if (typeof path !== 'string' || !Number.isSafeInteger(errcode) || typeof errmsg !== 'string') {
      return undefined;
    }
    return new WechatApiError(path, errcode as number, errmsg);
  },
};
