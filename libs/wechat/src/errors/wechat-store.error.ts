import { WechatError } from './wechat.error';

/**
 * A key of the shared store holds a value of another type (Redis `WRONGTYPE`): something else
 * writes under the module's `keyPrefix`. A configuration error, logged once; only the operations
 * on that key fail (they fall back to this process's memory), never the others of their batch.
 */
export class WechatStoreKeyTypeError extends WechatError {
  readonly code = 'WECHAT_STORE_KEY_TYPE';

  /** @param message what failed (the prefix at most: a key may hold an openid). */
  constructor(message: string) {
    super(message);
  }
}

/**
 * Redis refused a command because its keys are in different hash slots (`CROSSSLOT`): a bug or a
 * `keyPrefix` whose hash tag does not match the key schema. Logged as an error once; never taken
 * for an outage.
 */
export class WechatStoreCrossSlotError extends WechatError {
  readonly code = 'WECHAT_STORE_CROSSSLOT';

  /** @param message what failed (no key names: a key may hold an openid). */
  constructor(message: string) {
    super(message);
  }
}
