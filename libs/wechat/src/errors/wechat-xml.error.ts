import { WechatError } from './wechat.error';

/**
 * Why a pushed XML body was refused:
 *
 * - `MALFORMED`: not well-formed XML (or more than one root, text outside the root, too deep).
 * - `BAD_ROOT`: the root element is not `<xml>`.
 * - `MISSING_MSG_TYPE`: the message has no (or an empty) `MsgType`.
 * - `DTD_FORBIDDEN`: the body contains `<!DOCTYPE` or `<!ENTITY` (refused to prevent XXE).
 * - `TOO_LARGE`: the body exceeds the configured byte limit.
 * - `EMPTY`: the body is empty or whitespace only.
 * - `MISSING_ENCRYPT`: an encrypted envelope has no `<Encrypt>` element.
 */
export type WechatXmlErrorReason =
  | 'MALFORMED'
  | 'BAD_ROOT'
  | 'MISSING_MSG_TYPE'
  | 'DTD_FORBIDDEN'
  | 'TOO_LARGE'
  | 'EMPTY'
  | 'MISSING_ENCRYPT';

/**
 * A pushed XML body could not be accepted. `reason` says why; the message never quotes the body.
 */
export class WechatXmlError extends WechatError {
  readonly code = 'WECHAT_XML';

  /** Why the body was refused. */
  readonly reason: WechatXmlErrorReason;

  /**
   * @param reason - why the body was refused.
   * @param message - a human-readable explanation that does not quote the body.
   * @param options - the underlying parser error, if any.
   */
  constructor(reason: WechatXmlErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
