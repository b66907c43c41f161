import { WechatError } from './wechat.error';

/** A configuration mistake found at start-up; the message says what to fix. */
export class WechatConfigError extends WechatError {
  readonly code = 'WECHAT_CONFIG';

  constructor(message: string) {
    super(`Invalid WechatModule configuration: ${message}`);
  }
}
