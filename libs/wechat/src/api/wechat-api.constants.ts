/** Paths of the WeChat HTTP APIs this library calls (relative to `apiBaseUrl`). */
export const WECHAT_API_PATHS = {
  token: '/cgi-bin/token',
  stableToken: '/cgi-bin/stable_token',
  templateSend: '/cgi-bin/message/template/send',
  qrcodeCreate: '/cgi-bin/qrcode/create',
  userInfo: '/cgi-bin/user/info',
  userInfoBatchGet: '/cgi-bin/user/info/batchget',
  customSend: '/cgi-bin/message/custom/send',
} as const;

/** Where a QR code's image is fetched: `?ticket=<url-encoded ticket>`; note the `mp.` host. */
export const WECHAT_SHOW_QRCODE_URL = 'https://mp.weixin.qq.com/cgi-bin/showqrcode';

/** `errcode`s meaning "this access_token is not (or no longer) valid": refresh, retry once. */
export const ACCESS_TOKEN_REJECTED_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

/** `errcode` of "system busy": retried with exponential backoff. */
export const WECHAT_BUSY_ERRCODE = -1;

/** Largest number of openids in one `/cgi-bin/user/info/batchget` call. */
export const MAX_BATCH_GET_USERS = 100;

/** Languages accepted by the user info APIs. */
export const WECHAT_USER_LANGS = ['zh_CN', 'zh_TW', 'en'] as const;

/** Bounds of a temporary QR code's `expire_seconds` (60 s to 30 days). */
export const QR_EXPIRE_SECONDS_MIN = 60;
/** Upper bound of a temporary QR code's `expire_seconds` (30 days). */
export const QR_EXPIRE_SECONDS_MAX = 2_592_000;
/** Largest `scene_id` of a permanent QR code. */
export const QR_LIMIT_SCENE_ID_MAX = 100_000;
/** Longest `scene_str`, in characters. */
export const QR_SCENE_STR_MAX_LENGTH = 64;

/** Key of the lock that lets one instance at a time apply menus as code: `<keyPrefix>{<appId>}:menu_lock` (hash-tagged like the token keys). */
export function menuLockKey(keyPrefix: string, appId: string): string {
  return `${keyPrefix}{${appId}}:menu_lock`;
}
