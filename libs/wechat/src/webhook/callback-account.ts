import type { WechatAccount } from '../accounts/wechat-account';

/** Where the signature guard leaves the account of the callback's path, on the request itself. */
const CALLBACK_ACCOUNT = Symbol('wechat:callback-account');

interface WithCallbackAccount {
  [CALLBACK_ACCOUNT]?: WechatAccount;
}

/** Records the account the guard verified `request` for (the one of its path). */
export function rememberCallbackAccount(request: object, account: WechatAccount): void {
  (request as WithCallbackAccount)[CALLBACK_ACCOUNT] = account;
}

/** The account the guard verified `request` for, if it ran. */
export function callbackAccountOf(request: object): WechatAccount | undefined {
  return (request as WithCallbackAccount)[CALLBACK_ACCOUNT];
}
