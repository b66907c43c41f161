// What to do about the WeChat errcodes users hit most: one place, attached to every
// WechatApiError as `hint`. Hints are fixed texts plus, for 47003, the field WeChat names in its
// errmsg; they never contain a secret, a token or an openid.

/** Fixed hints by errcode. */
const FIXED_HINTS: Readonly<Record<number, string>> = {
  40013:
    'the AppID is wrong: check "appId" against the admin console (设置与开发 → 基本配置 / 开发接口管理).',
  40125:
    'the AppSecret is wrong or was reset: copy the current AppSecret from the admin console into "appSecret".',
  40164:
    "this server's public IP is not in the API IP whitelist: add it in the admin console (基本配置 → IP白名单).",
  45009:
    'the daily quota of this API is used up (never retried): it resets at midnight (Beijing time), or an admin can reset it once with /cgi-bin/clear_quota.',
  48001:
    'this account is not authorized for this API: check its account type (subscription vs service account) and its verification (接口权限 in the admin console), and for /sns/userinfo the scope (snsapi_userinfo is needed).',
  10003:
    "the redirect_uri's host is not the account's web authorization domain: set it in the admin console (设置与开发 → 接口权限 → 网页授权), without scheme or path.",
  40029:
    'the OAuth code is invalid or expired (codes live 5 minutes and are single-use): send the user through the authorize URL again.',
  40163:
    'the OAuth code was already used (a page refresh, the back button or a double callback replayed it): WechatOAuthService.handleCallback() returns the first result for a replayed code instead.',
  43101:
    'the user refused this subscription template or used up their one-time subscription: ask them to subscribe again (subscribe_msg_popup_event tells you when they accept).',
  40113:
    'WeChat refused the uploaded file type: the file name needs an extension WeChat accepts for this media type (e.g. .jpg, .png, .mp3, .amr, .mp4).',
  41005:
    'WeChat found no media data in the upload: send the file as the multipart part "media" with a file name, and never set the multipart Content-Type header by hand.',
  45106:
    'this API was retired by WeChat: publish articles with drafts (client.drafts.add) and freepublish (client.publish.submit) instead of add_news / mass sends of news.',
  89503:
    'calls from this IP need an admin confirmation: the admin received a template message and must approve the IP (a refusal blocks it).',
};

/** Value rules of subscription-notification data keys, by key prefix (`thing1` → `thing`). */
const DATA_KEY_RULES: Readonly<Record<string, string>> = {
  thing: 'thing: at most 20 characters',
  number: 'number: at most 32 digits (a decimal point allowed)',
  letter: 'letter: at most 32 letters',
  symbol: 'symbol: at most 5 symbols',
  character_string: 'character_string: at most 32 letters, digits or symbols',
  time: 'time: a 24-hour time, optionally with a date',
  date: 'date: a date, optionally with a 24-hour time',
  amount: 'amount: at most 10 digits with an optional currency sign and 2 decimals',
  phone_number: 'phone_number: at most 17 digits and symbols',
  car_number: 'car_number: at most 8 characters',
  name: 'name: at most 10 Chinese characters or 20 letters',
  phrase: 'phrase: at most 5 Chinese characters',
  const: 'const: at most 20 characters',
};

const BAD_DATA_HINT =
  'the template data is invalid: every data key needs { value } following the rule of its key prefix';

/**
 * The data key WeChat names in a 47003 errmsg (`argument invalid! data.thing1.value exceeds limit`),
 * or undefined.
 */
export function invalidDataField(errmsg: string): string | undefined {
  const match = /\bdata\.([A-Za-z_]+[0-9]*)(?:\.value)?\b/.exec(errmsg);
  return match?.[1];
}

/**
 * The hint for an errcode (with WeChat's errmsg, for hints that name a field), or undefined when
 * this library knows none.
 */
export function wechatErrorHint(errcode: number, errmsg = ''): string | undefined {
  if (errcode === 47003) {
    const field = invalidDataField(errmsg);
    if (field === undefined) return `${BAD_DATA_HINT}.`;
    const prefix = field.replace(/[0-9]+$/, '');
    const rule = DATA_KEY_RULES[prefix];
    return `${BAD_DATA_HINT}; WeChat refused "${field}"${rule ? ` (${rule})` : ''}.`;
  }
  return FIXED_HINTS[errcode];
}
