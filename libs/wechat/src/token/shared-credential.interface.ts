/** A credential just obtained from upstream (WeChat). */
export interface FetchedCredential {
  /** The credential itself (an access_token, a ticket, …). */
  readonly value: string;
  /** When this process stops serving it, on `lifetimeClock()` (ms). */
  readonly expiresAt: number;
}

/** What a refresh produced: read from the shared store or fetched upstream. */
export interface SharedCredential extends FetchedCredential {
  /**
   * Upstream already rejected this very value (WeChat handed back the token it had just refused):
   * hand it to the caller that asked, but never keep or publish it.
   */
  readonly rejected: boolean;
}

/**
 * Gets one credential of one kind (access_token, jsapi_ticket, …) of one account from upstream.
 * The shared refresh calls it only in the process that holds the fleet lock (or, with the store
 * down, in every process).
 */
export interface CredentialFetcher {
  /**
   * @param isRejected whether a value is known to have been rejected (to ask upstream for a really
   *   new one, e.g. stable_token's `force_refresh`).
   * @throws whatever upstream refused with (a typed error).
   */
  fetch(isRejected: (value: string) => Promise<boolean>): Promise<FetchedCredential>;
}

/** The store keys of one credential of one account. */
export interface SharedCredentialKeys {
  /** The credential, with a TTL equal to its served lifetime. */
  readonly value: string;
  /** The refresh lock. */
  readonly lock: string;
  /** Upstream's last refusal to issue the credential, kept for a few seconds. */
  readonly refusal: string;
}

/**
 * Which upstream errors are refusals worth sharing with the fleet (the same answer would come back
 * to every process for a while: IP not whitelisted, wrong secret, quota used up), as text for the
 * shared store, and back into an error of the same class with the same code.
 */
export interface CredentialRefusalCodec {
  /** The text to share for `error`, or `undefined` when it is not a refusal (network error, …). */
  encode(error: unknown): string | undefined;
  /** The error `text` describes, or `undefined` when it is not one of ours. */
  decode(text: string): Error | undefined;
}
