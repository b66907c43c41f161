import { WechatError } from './wechat.error';

/**
 * Why a passive reply could not be rendered:
 *
 * - `UNKNOWN_TYPE`: `type` is not one of the reply types.
 * - `INVALID_FIELD`: a required field (such as `content` or `mediaId`) is missing or empty, or a
 *   field is not a string.
 * - `BAD_ARTICLE_COUNT`: a news reply has fewer than 1 or more than 8 articles.
 * - `BAD_ADDRESS`: the request header to answer has no `ToUserName` or `FromUserName`.
 * - `BAD_CREATE_TIME`: `createTime` is not a non-negative number of seconds.
 */
export type WechatReplyErrorReason =
  'UNKNOWN_TYPE' | 'INVALID_FIELD' | 'BAD_ARTICLE_COUNT' | 'BAD_ADDRESS' | 'BAD_CREATE_TIME';

/** A reply object cannot be turned into reply XML. The message never quotes the reply's text. */
export class WechatReplyError extends WechatError {
  readonly code = 'WECHAT_REPLY';

  /** What is wrong with the reply. */
  readonly reason: WechatReplyErrorReason;

  /**
   * @param reason - what is wrong with the reply.
   * @param message - a human-readable explanation naming the offending field.
   */
  constructor(reason: WechatReplyErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}
