import type { WechatCallbackQuery } from './wechat-signature.guard';

/** Where the signature guard leaves the query it verified, on the request object itself. */
const VERIFIED_QUERY = Symbol('wechat:verified-query');

interface WithVerifiedQuery {
  [VERIFIED_QUERY]?: WechatCallbackQuery;
}

/**
 * Records the query parameters the signature guard verified on `request`, so the handler works
 * with exactly those (even from an overridden `getQuery`) and the query string is parsed once:
 * Express parses `req.query` again on every read.
 */
export function rememberVerifiedQuery(request: object, query: WechatCallbackQuery): void {
  (request as WithVerifiedQuery)[VERIFIED_QUERY] = query;
}

/** The query the guard verified for `request`, if it ran. */
export function verifiedQueryOf(request: object): WechatCallbackQuery | undefined {
  return (request as WithVerifiedQuery)[VERIFIED_QUERY];
}
