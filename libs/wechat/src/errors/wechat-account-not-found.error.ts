import { WechatError } from './wechat.error';

/** {@link WechatAccounts.get} was asked for an account that is not registered. */
export class WechatAccountNotFoundError extends WechatError {
  readonly code = 'WECHAT_ACCOUNT_NOT_FOUND';

  /** @param account the name or AppID that was asked for. */
  constructor(readonly account: string) {
    super(`No WeChat account is registered under the name or AppID ${JSON.stringify(account)}.`);
  }
}
