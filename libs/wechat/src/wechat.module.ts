import { Logger, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { WechatHttpClient } from './api/wechat-http.client';
import { WechatClientService } from './api/wechat-client.service';
import { WechatMenuAsCode } from './api/menu-as-code.bootstrap';
import { MsgCryptService } from './crypto/msg-crypt.service';
import { WechatDispatcher } from './discovery/wechat.dispatcher';
import { WechatExplorer } from './discovery/wechat.explorer';
import { WechatHandlerRegistry } from './discovery/wechat-handler.registry';
import { WechatMetadataAccessor } from './discovery/wechat-metadata.accessor';
import type { ResolvedWechatOptions } from './interfaces/resolved-wechat-options.interface';
import type { WechatModuleOptions } from './interfaces/wechat-module-options.interface';
import { AccessTokenService } from './token/access-token.service';
import { MemoryAccessTokenStore } from './token/memory-access-token.store';
import { RedisAccessTokenStore } from './token/redis-access-token.store';
import { WechatPushService } from './webhook/wechat-push.service';
import { WechatLateReplySender } from './dedup/late-reply.sender';
import { MemoryPushDedupStore } from './dedup/memory-push-dedup.store';
import { RedisPushDedupStore } from './dedup/redis-push-dedup.store';
import { WechatPushDeduplicator } from './dedup/wechat-push.deduplicator';
import { WechatFastifyBodyRegistrar } from './webhook/wechat-fastify-body.registrar';
import { WechatSignatureGuard } from './webhook/wechat-signature.guard';
import {
  WECHAT_ACCESS_TOKEN_STORE,
  WECHAT_CALLBACK_ENABLED,
  WECHAT_OPTIONS,
  WECHAT_PUSH_DEDUP_STORE,
  WECHAT_REDIS_CLIENT,
} from './wechat.constants';
import { MEMORY_STORE_WARNING } from './wechat.messages';
import { WECHAT_MODULE_OPTIONS, WechatConfigurableModule } from './wechat.module-definition';
import { resolveWechatOptions } from './wechat-options.resolver';

const optionsProvider: Provider = {
  provide: WECHAT_OPTIONS,
  inject: [WECHAT_MODULE_OPTIONS, WECHAT_CALLBACK_ENABLED],
  useFactory: (raw: WechatModuleOptions, callbackEnabled: boolean) =>
    resolveWechatOptions(raw, callbackEnabled),
};

const storeProvider: Provider = {
  provide: WECHAT_ACCESS_TOKEN_STORE,
  inject: [WECHAT_REDIS_CLIENT],
  useFactory: (redis: Redis | undefined) => {
    if (redis) return new RedisAccessTokenStore(redis);
    new Logger('WechatModule').warn(MEMORY_STORE_WARNING);
    return new MemoryAccessTokenStore();
  },
};

const dedupStoreProvider: Provider = {
  provide: WECHAT_PUSH_DEDUP_STORE,
  inject: [WECHAT_REDIS_CLIENT, WECHAT_OPTIONS],
  useFactory: (redis: Redis | undefined, options: ResolvedWechatOptions) =>
    redis ? new RedisPushDedupStore(redis, options.keyPrefix) : new MemoryPushDedupStore(),
};

/**
 * The WeChat Official Account module.
 *
 * - `WechatModule.forRoot(options)` / `WechatModule.forRootAsync({ imports, inject, useFactory })`
 *   (also `useClass`, `useExisting`, and `registerAs('wechat', …).asProvider()` from `@nestjs/config`).
 * - Provides {@link WechatClientService}, {@link AccessTokenService} and {@link MsgCryptService}.
 * - Mounts the callback endpoint at `path` (default `/wechat`) behind {@link WechatSignatureGuard}.
 * - Routes pushes to `@OnWechatEvent` / `@OnWechatMessage` / `@OnWechatFallback` methods of any
 *   provider or controller of the host app.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    optionsProvider,
    storeProvider,
    WechatHttpClient,
    AccessTokenService,
    WechatClientService,
    WechatMenuAsCode,
    MsgCryptService,
    WechatMetadataAccessor,
    WechatHandlerRegistry,
    WechatExplorer,
    WechatDispatcher,
    dedupStoreProvider,
    WechatPushDeduplicator,
    WechatLateReplySender,
    WechatPushService,
    WechatSignatureGuard,
    WechatFastifyBodyRegistrar,
  ],
  exports: [
    WECHAT_OPTIONS,
    WechatClientService,
    AccessTokenService,
    MsgCryptService,
    WechatHandlerRegistry,
  ],
})
export class WechatModule extends WechatConfigurableModule {}
