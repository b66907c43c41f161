import { accountKeyPrefix } from '../token/access-token.constants';

/**
 * The store keys of an account's jsapi_ticket, next to its access_token under the account's hash
 * tag: `<keyPrefix>{<appId>}:jsapi_ticket` (+ `_lock`, `_refusal`, `_rejected:<sha256>`).
 */
export function jsapiTicketKeys(keyPrefix: string, appId: string) {
  const base = `${accountKeyPrefix(keyPrefix, appId)}jsapi_ticket`;
  return {
    value: base,
    lock: `${base}_lock`,
    refusal: `${base}_refusal`,
    rejectedPrefix: `${base}_rejected:`,
  } as const;
}
