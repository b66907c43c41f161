/**
 * Base class of every error this library throws. `code` is stable and machine-readable;
 * `message` is for humans and never contains a secret, an AES key or an access_token.
 */
export abstract class WechatError extends Error {
  abstract readonly code: string;

  protected constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
