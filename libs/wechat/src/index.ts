// Public entry point of the WeChat Official Account module.

// Nest module and its options
export { WechatModule } from './wechat.module';
export {
  WECHAT_MODULE_OPTIONS,
  WECHAT_OPTIONS_TYPE,
  WECHAT_ASYNC_OPTIONS_TYPE,
  type WechatModuleExtras,
} from './wechat.module-definition';
export { WECHAT_OPTIONS, WECHAT_ACCESS_TOKEN_STORE, WECHAT_ACCOUNTS } from './wechat.constants';
export type {
  WechatModuleOptions,
  WechatTokenMode,
  WechatNamedRedisClient,
} from './interfaces/wechat-module-options.interface';
export type {
  ResolvedWechatOptions,
  ResolvedWechatAccount,
} from './interfaces/resolved-wechat-options.interface';
export { resolveWechatOptions } from './wechat-options.resolver';

// Several Official Accounts
export type {
  WechatAccountOptions,
  WechatAccountLoader,
} from './interfaces/wechat-account-options.interface';
export { WechatAccount } from './accounts/wechat-account';
export { WechatAccounts } from './accounts/wechat-accounts.registry';
export {
  resolveWechatAccounts,
  type ResolvedWechatAccountsConfig,
} from './accounts/wechat-accounts.resolver';
export {
  getWechatClientToken,
  getAccessTokenServiceToken,
  getMsgCryptServiceToken,
} from './accounts/wechat-account.tokens';
export {
  InjectWechatClient,
  InjectAccessTokenService,
  InjectMsgCryptService,
} from './decorators/inject-wechat-account.decorator';

// Services
export { WechatClientService } from './api/wechat-client.service';
export { WechatHttpClient } from './api/wechat-http.client';
export * from './api/wechat-api.interfaces';
export { WechatApiCaller, type WechatAccessTokenSource } from './api/wechat-api.caller';
export { wechatErrorHint } from './api/wechat-error-hints';
export {
  WechatMenuSync,
  sameMenu,
  type WechatMenuSyncOutcome,
  type WechatMenuSyncLogger,
  type WechatMenuSyncSettings,
} from './api/menu-as-code.sync';
export { WechatMenuAsCode } from './api/menu-as-code.bootstrap';

// API domains (client.media, client.menu, …): plain classes built on a WechatApiCaller
export { WechatMediaApi, MEDIA_PATHS } from './api/domains/media.api';
export {
  TEMPORARY_MEDIA_RULES,
  PERMANENT_MATERIAL_RULES,
  ARTICLE_IMAGE_RULE,
  type WechatUploadRule,
} from './api/domains/media-upload.file';
export type * from './api/domains/media.interfaces';
export { WechatMenuApi, MENU_PATHS } from './api/domains/menu.api';
export { MENU_LIMITS, validateMenu } from './api/domains/menu.validation';
export type * from './api/domains/menu.interfaces';
export { WechatSubscribeApi, SUBSCRIBE_PATHS } from './api/domains/subscribe.api';
export type * from './api/domains/subscribe.interfaces';
export {
  WechatUsersApi,
  USERS_PATHS,
  MAX_BLACKLIST_OPENIDS,
  MAX_REMARK_CHARS,
} from './api/domains/users.api';
export {
  WechatTagsApi,
  TAGS_PATHS,
  MAX_TAGGING_OPENIDS,
  MAX_TAG_NAME_BYTES,
} from './api/domains/tags.api';
export type * from './api/domains/users.interfaces';
export {
  WechatCustomerServiceApi,
  CUSTOMER_SERVICE_PATHS,
  type WechatCustomSendOptions,
} from './api/domains/customer-service.api';
export { WechatDraftsApi, DRAFTS_PATHS, MAX_DRAFT_ARTICLES } from './api/domains/drafts.api';
export { WechatPublishApi, PUBLISH_PATHS, type WechatPublishJob } from './api/domains/publish.api';
export type * from './api/domains/drafts.interfaces';
export { AccessTokenService } from './token/access-token.service';
export { FleetCredential, type FleetCredentialOptions } from './token/fleet-credential';
export type * from './token/shared-credential.interface';
export { JsapiTicketService } from './jssdk/jsapi-ticket.service';
export { WechatJssdkService } from './jssdk/wechat-jssdk.service';
export type * from './jssdk/wechat-jssdk.interfaces';
export { WechatOAuthService } from './oauth/wechat-oauth.service';
export {
  WechatOAuthGuard,
  type WechatOAuthGuardOptions,
  type WechatOAuthSession,
} from './oauth/wechat-oauth.guard';
export { WechatOAuthUser } from './oauth/wechat-oauth-user.decorator';
export type * from './oauth/wechat-oauth.interfaces';
export * from './errors/wechat-oauth.error';
export * from './token/access-token-store.interface';
export { MemoryAccessTokenStore } from './token/memory-access-token.store';
export { RedisAccessTokenStore } from './token/redis-access-token.store';
export { LegacyKeysAccessTokenStore } from './token/legacy-keys-access-token.store';
export type { WechatRedisClient } from './redis/wechat-redis-client.type';
export { MsgCryptService } from './crypto/msg-crypt.service';

// Callback endpoint and handlers
export {
  WechatSignatureGuard,
  type CallbackRequestLine,
  type WechatCallbackQuery,
} from './webhook/wechat-signature.guard';
export { WechatWebhookController } from './webhook/wechat-webhook.controller';
export { WechatPushService, type WechatPushResponse } from './webhook/wechat-push.service';
export {
  OnWechatEvent,
  type WechatEventHandlerMethod,
} from './decorators/on-wechat-event.decorator';
export {
  OnWechatMessage,
  type WechatMessageHandlerMethod,
} from './decorators/on-wechat-message.decorator';
export {
  OnWechatFallback,
  type WechatFallbackHandlerMethod,
} from './decorators/on-wechat-fallback.decorator';
export { InjectWechatOptions } from './decorators/inject-wechat-options.decorator';
export { WechatHandlerRegistry } from './discovery/wechat-handler.registry';
export type * from './interfaces/wechat-handler.interfaces';

// Observability: health indicator for @nestjs/terminus; metric and span names (@opentelemetry/api)
export { WechatHealthIndicator } from './health/wechat-health.indicator';
export type * from './health/wechat-health.interfaces';
export type {
  CredentialHealth,
  CredentialRefreshFailure,
} from './telemetry/credential-health.interface';
export { WECHAT_METRICS } from './telemetry/wechat.metrics';
export { WECHAT_SPANS } from './telemetry/wechat.tracing';
export { WECHAT_ATTRIBUTES } from './telemetry/wechat-telemetry.attributes';

// Errors
export { WechatError } from './errors/wechat.error';
export { WechatConfigError } from './errors/wechat-config.error';
export { WechatAccountNotFoundError } from './errors/wechat-account-not-found.error';
export * from './errors/wechat-crypto.error';
export * from './errors/wechat-xml.error';
export * from './errors/wechat-reply.error';
export * from './errors/wechat-api.error';
export * from './errors/wechat-token.error';
export * from './errors/wechat-store.error';

// Protocol core (usable without Nest)
export * from './core';
