import { Logger, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { WechatHttpClient } from './api/wechat-http.client';
import { WechatClientService } from './api/wechat-client.service';
import { WechatMenuAsCode } from './api/menu-as-code.bootstrap';
import { WechatAccountInjectionCheck } from './accounts/wechat-account-injection.check';
import { createDefaultAccountProviders } from './accounts/wechat-account.tokens';
import { WechatAccounts } from './accounts/wechat-accounts.registry';
import {
  resolveWechatAccounts,
  type ResolvedWechatAccountsConfig,
} from './accounts/wechat-accounts.resolver';
import { MsgCryptService } from './crypto/msg-crypt.service';
import { JsapiTicketService } from './jssdk/jsapi-ticket.service';
import { WechatJssdkService } from './jssdk/wechat-jssdk.service';
import { WechatOAuthService } from './oauth/wechat-oauth.service';
import { WechatDispatcher } from './discovery/wechat.dispatcher';
import { WechatExplorer } from './discovery/wechat.explorer';
import { WechatHandlerRegistry } from './discovery/wechat-handler.registry';
import { WechatMetadataAccessor } from './discovery/wechat-metadata.accessor';
import type { ResolvedWechatOptions } from './interfaces/resolved-wechat-options.interface';
import type { WechatModuleOptions } from './interfaces/wechat-module-options.interface';
import { AccessTokenService } from './token/access-token.service';
import type { AccessTokenStore } from './token/access-token-store.interface';
import { MemoryAccessTokenStore } from './token/memory-access-token.store';
import { RedisAccessTokenStore } from './token/redis-access-token.store';
import { LegacyKeysAccessTokenStore } from './token/legacy-keys-access-token.store';
import { accessTokenKey, accessTokenLockKey } from './token/access-token.constants';
import { assertKeysShareSlot } from './redis/cluster-key-slot';
import type { WechatRedisClient } from './redis/wechat-redis-client.type';
import { WechatPushService } from './webhook/wechat-push.service';
import { WechatHealthIndicator } from './health/wechat-health.indicator';
import { WechatLateReplySender } from './dedup/late-reply.sender';
import { MemoryPushDedupStore } from './dedup/memory-push-dedup.store';
import { PushAnswerWriteBack } from './dedup/push-answer.write-back';
import { PushDedupStoreHealth } from './dedup/push-dedup-store.health';
import { PushHandlingTracker } from './dedup/push-handling.tracker';
import { RedisPushDedupStore } from './dedup/redis-push-dedup.store';
import { ResilientPushDedupStore } from './dedup/resilient-push-dedup.store';
import { WechatPushDeduplicator } from './dedup/wechat-push.deduplicator';
import { WechatEncryptionAdvisor } from './webhook/wechat-encryption.advisor';
import { WechatFastifyBodyRegistrar } from './webhook/wechat-fastify-body.registrar';
import { WechatSignatureGuard } from './webhook/wechat-signature.guard';
import {
  WECHAT_ACCESS_TOKEN_STORE,
  WECHAT_ACCOUNTS,
  WECHAT_ACCOUNTS_CONFIG,
  WECHAT_CALLBACK_ENABLED,
  WECHAT_OPTIONS,
  WECHAT_PUSH_DEDUP_FALLBACK_STORE,
  WECHAT_PUSH_DEDUP_STORE,
  WECHAT_REDIS_CLIENT,
} from './wechat.constants';
import { MEMORY_STORE_WARNING } from './wechat.messages';
import { WECHAT_MODULE_OPTIONS, WechatConfigurableModule } from './wechat.module-definition';

const accountsConfigProvider: Provider = {
  provide: WECHAT_ACCOUNTS_CONFIG,
  inject: [WECHAT_MODULE_OPTIONS, WECHAT_CALLBACK_ENABLED],
  useFactory: (raw: WechatModuleOptions, callbackEnabled: boolean) =>
    resolveWechatAccounts(raw, callbackEnabled),
};

/**
 * The default account's options; with several accounts and no default, the shared options alone
 * (`appId` and `appSecret` empty).
 */
const optionsProvider: Provider = {
  provide: WECHAT_OPTIONS,
  inject: [WECHAT_ACCOUNTS_CONFIG],
  useFactory: (config: ResolvedWechatAccountsConfig): ResolvedWechatOptions => {
    const account = config.accounts.find(({ name }) => name === config.defaultAccount);
    if (account) return account;
    return { ...config.shared, ...config.accountDefaults, appId: '', appSecret: '' };
  },
};

const accountsProvider: Provider = {
  provide: WechatAccounts,
  inject: [WECHAT_ACCOUNTS_CONFIG, WECHAT_ACCESS_TOKEN_STORE],
  useFactory: (config: ResolvedWechatAccountsConfig, store: AccessTokenStore) =>
    new WechatAccounts(config, store),
};

const storeProvider: Provider = {
  provide: WECHAT_ACCESS_TOKEN_STORE,
  inject: [WECHAT_REDIS_CLIENT, WECHAT_OPTIONS],
  useFactory: (redis: WechatRedisClient | undefined, options: ResolvedWechatOptions) => {
    if (!redis) {
      new Logger('WechatModule').warn(MEMORY_STORE_WARNING);
      return new MemoryAccessTokenStore();
    }
    if (redis.isCluster) {
      // The lock-owner write is one script over the token and its lock (every account's keys are
      // built alike: any AppID shows the rule; with several accounts and no default it is empty).
      const keyPrefix = options.keyPrefix;
      const appId = options.appId || 'wx0000000000000000';
      assertKeysShareSlot([
        [accessTokenKey(keyPrefix, appId), accessTokenLockKey(keyPrefix, appId)],
      ]);
    }
    const store = new RedisAccessTokenStore(redis, { storeWaitMs: options.storeWaitMs });
    return options.legacyKeys ? new LegacyKeysAccessTokenStore(store) : store;
  },
};

/** This process's memory: the push de-dup store without Redis, and the fallback with it. */
const dedupFallbackStoreProvider: Provider = {
  provide: WECHAT_PUSH_DEDUP_FALLBACK_STORE,
  useFactory: () => new MemoryPushDedupStore(),
};

/** The shared push de-dup store: Redis (single node, Sentinel or Cluster), else the memory one. */
const dedupStoreProvider: Provider = {
  provide: WECHAT_PUSH_DEDUP_STORE,
  inject: [WECHAT_REDIS_CLIENT, WECHAT_OPTIONS, WECHAT_PUSH_DEDUP_FALLBACK_STORE],
  useFactory: (
    redis: WechatRedisClient | undefined,
    options: ResolvedWechatOptions,
    memory: MemoryPushDedupStore,
  ) =>
    redis
      ? new RedisPushDedupStore(redis, options.keyPrefix, {
          storeWaitMs: options.storeWaitMs,
          defaultBudgetMs: options.replyTimeoutMs,
          readLegacyKeys: options.legacyKeys,
        })
      : memory,
};

/**
 * The WeChat Official Account module.
 *
 * - `WechatModule.forRoot(options)` / `WechatModule.forRootAsync({ imports, inject, useFactory })`
 *   (also `useClass`, `useExisting`, and `registerAs('wechat', …).asProvider()` from `@nestjs/config`).
 * - Provides {@link WechatAccounts} (every account) and, for the default account,
 *   {@link WechatClientService}, {@link AccessTokenService} and {@link MsgCryptService}; the same
 *   of a named account with `@InjectWechatClient(name)` (and the token/crypto decorators).
 * - Mounts the callback endpoint at `path` (default `/wechat`, and `/wechat/:account` per account)
 *   behind {@link WechatSignatureGuard}.
 * - Provides {@link WechatHealthIndicator} (for `@nestjs/terminus`).
 * - Routes pushes to `@OnWechatEvent` / `@OnWechatMessage` / `@OnWechatFallback` methods of any
 *   provider or controller of the host app.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    accountsConfigProvider,
    optionsProvider,
    storeProvider,
    accountsProvider,
    { provide: WECHAT_ACCOUNTS, useExisting: WechatAccounts },
    ...createDefaultAccountProviders(),
    WechatAccountInjectionCheck,
    WechatMenuAsCode,
    WechatMetadataAccessor,
    WechatHandlerRegistry,
    WechatExplorer,
    WechatDispatcher,
    dedupFallbackStoreProvider,
    dedupStoreProvider,
    PushDedupStoreHealth,
    PushAnswerWriteBack,
    ResilientPushDedupStore,
    PushHandlingTracker,
    WechatPushDeduplicator,
    WechatLateReplySender,
    WechatPushService,
    WechatSignatureGuard,
    WechatFastifyBodyRegistrar,
    WechatHealthIndicator,
    WechatEncryptionAdvisor,
  ],
  exports: [
    WECHAT_OPTIONS,
    WechatAccounts,
    WECHAT_ACCOUNTS,
    WechatHttpClient,
    WechatClientService,
    AccessTokenService,
    MsgCryptService,
    JsapiTicketService,
    WechatJssdkService,
    WechatOAuthService,
    WechatHandlerRegistry,
    WechatHealthIndicator,
  ],
})
export class WechatModule extends WechatConfigurableModule {}
