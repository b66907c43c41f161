import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { WECHAT_API_PATHS } from '../api/wechat-api.constants';
import type { WechatAccessTokenResponse } from '../api/wechat-api.interfaces';
import { WechatHttpClient } from '../api/wechat-http.client';
import { redactSecrets } from '../api/redact-secrets.util';
import { WechatHttpError } from '../errors/wechat-api.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { WECHAT_ACCESS_TOKEN_STORE, WECHAT_OPTIONS } from '../wechat.constants';
import type { AccessTokenStore } from './access-token-store.interface';
import {
  ACCESS_TOKEN_STORE_RESYNC_INTERVAL_MS,
  STABLE_TOKEN_FORCE_REFRESH_INTERVAL_MS,
  accessTokenKey,
  accessTokenLockKey,
} from './access-token.constants';

/** The in-process copy: the token, when it stops being served, and a settled promise of it. */
interface LocalToken {
  readonly token: string;
  readonly expiresAt: number;
  readonly promise: Promise<string>;
}

/** A token just obtained from WeChat. */
interface FetchedToken {
  readonly token: string;
  /** When the token stops being served (epoch ms), i.e. expires_in minus the safety margin. */
  readonly expiresAt: number;
}

/** A store operation failed: the caller falls back to working without the shared store. */
class StoreUnavailable extends Error {
  constructor(readonly original: unknown) {
    super('access_token store unavailable');
  }
}

/**
 * The access_token of the Official Account, one for the whole fleet.
 *
 * - **Hot path**: an in-process copy (token + expiry) is served without touching Redis;
 *   `getAccessToken()` then returns the same already-settled promise every time (no allocation),
 *   and never after the copy's expiry (`expires_in` − `tokenSafetyMarginSeconds`).
 * - **Refresh**: in-process singleflight (one refresh per process at a time). The shared copy in the
 *   {@link AccessTokenStore} is read first (with its remaining TTL). On a miss, a cross-process lock
 *   (`SET NX PX lockTtlMs`, unique owner) is taken; the holder re-reads the cache, fetches from
 *   WeChat, writes the token (TTL = lifetime − margin) only if it still owns the lock (else only
 *   `SET NX`, so a newer token is never overwritten), and releases the lock (owner-only). While
 *   fetching, the holder extends its lock every `lockTtlMs / 3`, so a slow WeChat does not let a
 *   second process refresh; a crashed holder stops extending and blocks the others at most
 *   `lockTtlMs`. Waiters re-read the cache every `lockPollIntervalMs` and compete for the lock again
 *   after `lockWaitMs` or as soon as the holder's lock has expired, whichever comes first.
 * - **Rejection** (`40001/40014/42001`): {@link clearAccessToken} with the rejected token deletes
 *   the shared copy only if it still holds that token, so when the whole fleet sees 40001 at once
 *   the token is refreshed once and everyone picks up the new one.
 * - **stable_token mode**: `POST /cgi-bin/stable_token` with `force_refresh: false`; `true` only
 *   after a confirmed rejection (WeChat returned the very token that was just rejected), at most
 *   once per 30 s per process and only by the lock holder.
 * - **Store unreachable** (Redis down): logs one warning, serves the in-process copy, refreshes
 *   directly from WeChat (still singleflight in-process), and resynchronises with Redis (publishing
 *   its token if Redis is empty) on the first cache hit after Redis is back.
 *
 * The AppSecret and tokens never appear in a log line or an error message. Usable without Nest:
 * `new AccessTokenService(options, store, new WechatHttpClient(options))`.
 */
@Injectable()
export class AccessTokenService {
  /** When this process last sent `force_refresh: true`, per AppID (WeChat's limit is per AppID). */
  private static readonly lastForceRefreshAt = new Map<string, number>();

  private readonly logger = new Logger(AccessTokenService.name);
  private readonly tokenKey: string;
  private readonly lockKey: string;
  private local: LocalToken | undefined;
  private inflight: Promise<string> | undefined;
  /** The last token a caller reported as rejected: never accepted from the cache again. */
  private rejectedToken: string | undefined;
  private storeDown = false;
  private resyncing = false;
  private lastResyncAt = 0;

  /**
   * @param options resolved module options (appId, appSecret, tokenMode, lock and margin settings).
   * @param store the shared store ({@link RedisAccessTokenStore} or {@link MemoryAccessTokenStore}).
   * @param http the request pipeline used for the token endpoints.
   */
  constructor(
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
    @Inject(WECHAT_ACCESS_TOKEN_STORE) private readonly store: AccessTokenStore,
    private readonly http: WechatHttpClient,
  ) {
    this.tokenKey = accessTokenKey(options.keyPrefix, options.appId);
    this.lockKey = accessTokenLockKey(options.keyPrefix, options.appId);
  }

  /**
   * A valid access_token. Served from the in-process copy while it lives (the same settled promise
   * each time); otherwise from the shared store or, by one process of the fleet, from WeChat.
   *
   * @throws WechatApiError when WeChat refuses to issue a token (40013, 40125, 40164, …).
   * @throws WechatHttpError when WeChat cannot be reached.
   */
  getAccessToken(): Promise<string> {
    const local = this.local;
    if (local !== undefined && Date.now() < local.expiresAt) {
      if (this.storeDown) this.resyncSoon();
      return local.promise;
    }
    return (this.inflight ??= this.refresh());
  }

  /**
   * Forgets a token.
   *
   * - With `token` (the one WeChat just rejected with 40001/40014/42001): the shared copy is deleted
   *   only if it still holds that token (compare-and-delete) and the in-process copy only if it is
   *   that token; the token is never taken from the cache again. Call it, then
   *   {@link getAccessToken}, then retry once.
   * - Without: both copies are deleted unconditionally, which makes the whole fleet refresh
   *   (and, in `token` mode, invalidates the current token for everyone). Prefer passing the token.
   */
  async clearAccessToken(token?: string): Promise<void> {
    if (token === undefined) {
      this.local = undefined;
      await this.tryStore(() => this.store.delete(this.tokenKey));
      return;
    }
    const alreadyCleared = this.rejectedToken === token;
    this.rejectedToken = token;
    if (this.local?.token === token) this.local = undefined;
    // A concurrent caller of this process already deleted it (same connection, so the delete is
    // ordered before any later read of ours).
    if (alreadyCleared) return;
    await this.tryStore(() => this.store.compareAndDelete(this.tokenKey, token));
  }

  private refresh(): Promise<string> {
    return this.load().finally(() => {
      this.inflight = undefined;
    });
  }

  private async load(): Promise<string> {
    try {
      return await this.loadShared();
    } catch (error: unknown) {
      if (!(error instanceof StoreUnavailable)) throw error;
      this.markStoreDown(error.original);
      return this.adopt(await this.fetchToken());
    }
  }

  /** Cache, else lock and fetch, else wait for the holder. Store failures → StoreUnavailable. */
  private async loadShared(): Promise<string> {
    const cached = await this.readShared();
    if (cached !== undefined) return cached;
    const { lockTtlMs, lockPollIntervalMs, lockWaitMs } = this.options;
    let competeAt = 0;
    for (;;) {
      if (Date.now() >= competeAt) {
        const owner = randomUUID();
        const attempt = await this.storeCall(() =>
          this.store.tryLock(this.lockKey, owner, lockTtlMs),
        );
        if (attempt.acquired) return this.fetchAsLockHolder(owner);
        competeAt = Date.now() + Math.min(lockWaitMs, Math.max(0, attempt.remainingMs));
      }
      await sleep(Math.max(1, Math.min(lockPollIntervalMs, competeAt - Date.now())));
      const token = await this.readShared();
      if (token !== undefined) return token;
    }
  }

  private async fetchAsLockHolder(owner: string): Promise<string> {
    const stopExtending = this.keepLock(owner);
    try {
      const cached = await this.readShared();
      if (cached !== undefined) return cached;
      return await this.publish(await this.fetchToken(), owner);
    } finally {
      stopExtending();
      await this.tryStore(() => this.store.unlock(this.lockKey, owner));
    }
  }

  /** Extends the lock every lockTtlMs / 3 while the holder works; returns the stop function. */
  private keepLock(owner: string): () => void {
    const { lockTtlMs } = this.options;
    const timer = setInterval(
      () => {
        this.store.extendLock(this.lockKey, owner, lockTtlMs).catch(() => undefined);
      },
      Math.max(1, Math.floor(lockTtlMs / 3)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Writes a fetched token to the store (as lock holder) and adopts it, or a newer stored one. */
  private async publish(fetched: FetchedToken, owner: string): Promise<string> {
    const ttlMs = fetched.expiresAt - Date.now();
    try {
      const result = await this.storeCall(() =>
        this.store.setIfLockOwner(this.tokenKey, fetched.token, ttlMs, this.lockKey, owner),
      );
      if (result === 'kept-existing') {
        // Our lock expired and the next holder stored a newer token: use that one.
        const newer = await this.readShared();
        if (newer !== undefined) return newer;
      }
    } catch (error: unknown) {
      if (!(error instanceof StoreUnavailable)) throw error;
      this.markStoreDown(error.original);
    }
    return this.adopt(fetched);
  }

  /** The shared token if usable (adopted locally), else undefined. */
  private async readShared(): Promise<string | undefined> {
    const readAt = Date.now();
    const stored = await this.storeCall(() => this.store.get(this.tokenKey));
    if (stored === null || stored.ttlMs <= 0 || stored.value === this.rejectedToken) {
      return undefined;
    }
    return this.adopt({ token: stored.value, expiresAt: readAt + stored.ttlMs });
  }

  private adopt(fetched: FetchedToken): string {
    if (this.local?.token !== fetched.token || this.local.expiresAt !== fetched.expiresAt) {
      this.local = {
        token: fetched.token,
        expiresAt: fetched.expiresAt,
        promise: Promise.resolve(fetched.token),
      };
    }
    return fetched.token;
  }

  /**
   * One token from WeChat. In stable_token mode, when WeChat hands back the token that was just
   * rejected, asks again with `force_refresh: true` (at most once per 30 s per process and AppID,
   * shared by every instance of this class).
   */
  private async fetchToken(): Promise<FetchedToken> {
    let fetched = await this.requestToken(false);
    if (this.options.tokenMode === 'stable_token' && fetched.token === this.rejectedToken) {
      const now = Date.now();
      const { appId } = this.options;
      const last = AccessTokenService.lastForceRefreshAt.get(appId) ?? Number.NEGATIVE_INFINITY;
      if (now - last >= STABLE_TOKEN_FORCE_REFRESH_INTERVAL_MS) {
        AccessTokenService.lastForceRefreshAt.set(appId, now);
        this.logger.warn(
          'WeChat returned the stable access_token it had just rejected; requesting a new one with force_refresh.',
        );
        fetched = await this.requestToken(true);
      } else {
        this.logger.warn(
          'WeChat returned the stable access_token it had just rejected, and force_refresh was used less than 30 s ago; keeping it for now.',
        );
      }
    }
    return fetched;
  }

  private async requestToken(forceRefresh: boolean): Promise<FetchedToken> {
    const { appId, appSecret, tokenMode } = this.options;
    const startedAt = Date.now();
    let response: WechatAccessTokenResponse;
    let path: string;
    if (tokenMode === 'stable_token') {
      path = WECHAT_API_PATHS.stableToken;
      response = await this.http.post<WechatAccessTokenResponse>(path, {
        grant_type: 'client_credential',
        appid: appId,
        secret: appSecret,
        force_refresh: forceRefresh,
      });
    } else {
      path = WECHAT_API_PATHS.token;
      response = await this.http.get<WechatAccessTokenResponse>(path, {
        grant_type: 'client_credential',
        appid: appId,
        secret: appSecret,
      });
    }
    const token = response.access_token;
    const expiresIn = Number(response.expires_in);
    if (typeof token !== 'string' || token === '' || !(expiresIn > 0)) {
      throw new WechatHttpError(
        path,
        'BAD_RESPONSE',
        1,
        'the answer has no access_token or no positive expires_in',
      );
    }
    return { token, expiresAt: startedAt + this.lifetimeMs(expiresIn) };
  }

  /**
   * How long a token is served: `expires_in` minus the safety margin; if the margin is not shorter
   * than `expires_in` (a stable token handed out shortly before its rotation), half of `expires_in`.
   */
  private lifetimeMs(expiresInSeconds: number): number {
    const lifetime = expiresInSeconds * 1000;
    const margin = this.options.tokenSafetyMarginSeconds * 1000;
    return lifetime > margin ? lifetime - margin : Math.floor(lifetime / 2);
  }

  private async storeCall<T>(operation: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await operation();
    } catch (error: unknown) {
      throw new StoreUnavailable(error);
    }
    this.markStoreUp();
    return result;
  }

  /** A store operation whose failure only marks the store down. */
  private async tryStore(operation: () => Promise<unknown>): Promise<void> {
    try {
      await this.storeCall(operation);
    } catch (error: unknown) {
      if (error instanceof StoreUnavailable) this.markStoreDown(error.original);
      else throw error;
    }
  }

  private markStoreDown(error: unknown): void {
    if (this.storeDown) return;
    this.storeDown = true;
    const raw = (error as { message?: unknown } | null)?.message;
    const message = typeof raw === 'string' ? raw : String(error);
    const detail = redactSecrets(message.replace(/\.$/, ''), [
      this.options.appSecret,
      this.local?.token,
      this.rejectedToken,
    ]);
    this.logger.warn(
      `The shared access_token store is unavailable (${detail}); this process keeps its own copy and refreshes without the fleet lock until it is back.`,
    );
  }

  private markStoreUp(): void {
    if (!this.storeDown) return;
    this.storeDown = false;
    this.logger.log('The shared access_token store is reachable again.');
  }

  /** On a cache hit while the store is down: at most once a second, try to resynchronise. */
  private resyncSoon(): void {
    const now = Date.now();
    if (this.resyncing || now - this.lastResyncAt < ACCESS_TOKEN_STORE_RESYNC_INTERVAL_MS) return;
    this.lastResyncAt = now;
    this.resyncing = true;
    void this.resync().finally(() => {
      this.resyncing = false;
    });
  }

  /** Adopts the shared token if there is one, else publishes ours (only if the key is empty). */
  private async resync(): Promise<void> {
    try {
      const shared = await this.readShared();
      const local = this.local;
      if (shared !== undefined || local === undefined) return;
      const ttlMs = local.expiresAt - Date.now();
      if (ttlMs > 0) {
        await this.storeCall(() => this.store.set(this.tokenKey, local.token, ttlMs, 'if-absent'));
      }
    } catch {
      // Still down: the next cache hit after ACCESS_TOKEN_STORE_RESYNC_INTERVAL_MS tries again.
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
