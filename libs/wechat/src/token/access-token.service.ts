import { Inject, Injectable, Logger } from '@nestjs/common';
import { WechatHttpClient } from '../api/wechat-http.client';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import type { CredentialHealth } from '../telemetry/credential-health.interface';
import { CredentialTelemetry } from '../telemetry/credential.telemetry';
import { WECHAT_ACCESS_TOKEN_STORE, WECHAT_OPTIONS } from '../wechat.constants';
import type { AccessTokenStore } from './access-token-store.interface';
import {
  REJECTED_ACCESS_TOKEN_TTL_MS,
  STABLE_TOKEN_FORCE_REFRESH_INTERVAL_MS,
  accessTokenForceRefreshKey,
  accessTokenKey,
  accessTokenLockKey,
  accessTokenRefusalKey,
  accessTokenRejectedKeyPrefix,
} from './access-token.constants';
import { AccessTokenFetcher } from './access-token.fetcher';
import { FleetCredential } from './fleet-credential';
import { ForceRefreshPolicy } from './force-refresh.policy';
import { wechatApiRefusalCodec } from './wechat-api-refusal.codec';

/**
 * The access_token of the Official Account, one for the whole fleet: a {@link FleetCredential}
 * (the machinery every fleet-wide credential runs on) with the {@link AccessTokenFetcher}:
 *
 * - **Hot path** ({@link LocalCredentialCache}): an in-process copy (token + expiry) is served
 *   without touching Redis; `getAccessToken()` then returns the same already-settled promise every
 *   time (no allocation), and never after the copy's expiry (`expires_in` − safety margin).
 * - **Refresh**: in-process {@link Singleflight} (one refresh per process at a time) around the
 *   fleet protocol of {@link SharedCredentialRefresher} (shared copy, lock, waiters) with the
 *   {@link AccessTokenFetcher} (`/cgi-bin/token` or `/cgi-bin/stable_token`).
 * - **Refusal** (WeChat answers the token endpoint with an errcode, e.g. 40164): the lock is
 *   released at once and the refusal is shared for `tokenRefusalTtlMs` (default 5 s): every caller
 *   of every process gets the same `WechatApiError` at once, and the fleet asks WeChat about
 *   once per period.
 * - **Rejection** (`40001/40014/42001`): {@link clearAccessToken} with the rejected token deletes
 *   the shared copy only if it still holds that token, so when the whole fleet sees 40001 at once
 *   the token is refreshed once and everyone picks up the new one.
 * - **stable_token mode**: `force_refresh: false`; `true` only after a confirmed rejection (WeChat
 *   returned the very token that was just rejected), within WeChat's limit for the whole fleet
 *   ({@link ForceRefreshPolicy}: once per 30 s per AppID, recorded in the store). A token known to
 *   be rejected ({@link RejectedCredentialRegistry}: by this process or marked by another) is
 *   handed to the caller that asked but never kept nor published.
 * - **Store unreachable** (Redis down, {@link SharedStoreHealth}): logs one warning, serves the
 *   in-process copy, refreshes directly from WeChat (still singleflight in-process), and
 *   resynchronises with Redis (publishing its token if Redis is empty) on the first cache hit
 *   after Redis is back.
 *
 * The AppSecret and tokens never appear in a log line or an error message. Usable without Nest:
 * `new AccessTokenService(options, store, new WechatHttpClient(options))`.
 */
@Injectable()
export class AccessTokenService {
  private readonly logger = new Logger(AccessTokenService.name);
  private readonly credential: FleetCredential;
  private readonly telemetry: CredentialTelemetry;

  /**
   * @param options resolved module options (appId, appSecret, tokenMode, lock and margin settings).
   * @param store the shared store ({@link RedisAccessTokenStore} or {@link MemoryAccessTokenStore}).
   * @param http the request pipeline used for the token endpoints.
   */
  constructor(
    @Inject(WECHAT_OPTIONS) options: ResolvedWechatOptions,
    @Inject(WECHAT_ACCESS_TOKEN_STORE) store: AccessTokenStore,
    http: WechatHttpClient,
  ) {
    const { appId, keyPrefix } = options;
    this.telemetry = new CredentialTelemetry(options, 'access_token');
    this.credential = new FleetCredential(
      store,
      this.logger,
      (health) =>
        new AccessTokenFetcher(
          options,
          http,
          new ForceRefreshPolicy(
            store,
            health,
            accessTokenForceRefreshKey(keyPrefix, appId),
            STABLE_TOKEN_FORCE_REFRESH_INTERVAL_MS,
          ),
          this.logger,
        ),
      {
        label: 'access_token',
        keys: {
          value: accessTokenKey(keyPrefix, appId),
          lock: accessTokenLockKey(keyPrefix, appId),
          refusal: accessTokenRefusalKey(keyPrefix, appId),
          rejectedPrefix: accessTokenRejectedKeyPrefix(keyPrefix, appId),
        },
        rejectedTtlMs: REJECTED_ACCESS_TOKEN_TTL_MS,
        lockTtlMs: options.lockTtlMs,
        lockPollIntervalMs: options.lockPollIntervalMs,
        refusalTtlMs: options.tokenRefusalTtlMs,
        refusals: wechatApiRefusalCodec,
        secrets: () => [options.appSecret],
        telemetry: this.telemetry,
      },
    );
  }

  /**
   * A valid access_token. Served from the in-process copy while it lives (the same settled promise
   * each time); otherwise from the shared store or, by one process of the fleet, from WeChat.
   *
   * @throws WechatApiError when WeChat refuses to issue a token (40013, 40125, 40164, …).
   * @throws WechatHttpError when WeChat cannot be reached.
   */
  getAccessToken(): Promise<string> {
    return this.credential.get();
  }

  /**
   * Forgets a token.
   *
   * - With `token` (the one WeChat just rejected with 40001/40014/42001): the shared copy is deleted
   *   only if it still holds that token (compare-and-delete) and the in-process copy only if it is
   *   that token; the token is never taken from the cache again, and is marked as rejected for
   *   the fleet, so no process publishes it again. Call it, then
   *   {@link getAccessToken}, then retry once.
   * - Without: both copies are deleted unconditionally, which makes the whole fleet refresh
   *   (and, in `token` mode, invalidates the current token for everyone). Prefer passing the token.
   */
  clearAccessToken(token?: string): Promise<void> {
    return this.credential.clear(token);
  }

  /**
   * What the health indicator reports of the access_token in this process: whether a copy is
   * held, whether the shared store answered last time, and the last refresh failure (its class,
   * errcode or reason and time; never a token or a message).
   */
  credentialHealth(): CredentialHealth {
    const { account, kind, lastRefreshError } = this.telemetry;
    const { fresh, storeReachable } = this.credential.status();
    return {
      account,
      kind,
      fresh,
      storeReachable,
      ...(lastRefreshError ? { lastRefreshError } : {}),
    };
  }
}
