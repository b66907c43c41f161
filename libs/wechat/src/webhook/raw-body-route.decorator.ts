import { SetMetadata } from '@nestjs/common';

/**
 * The metadata key `@nestjs/platform-fastify` reads a route's Fastify `config` from (its
 * `@RouteConfig()` decorator). Written by hand so the library needs no Fastify package at run time;
 * Express ignores it.
 */
const FASTIFY_ROUTE_CONFIG_METADATA = '__fastify_route_config__';

/** The key of the Fastify route config that marks the callback route. */
export const WECHAT_RAW_BODY_ROUTE = 'wechatRawBody';

/**
 * Marks a route handler whose body the library reads raw under Fastify (see
 * {@link createFastifyRawBodyParser}); other routes keep Fastify's behaviour.
 */
export const WechatRawBodyRoute = (): MethodDecorator =>
  SetMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { [WECHAT_RAW_BODY_ROUTE]: true });

/** Whether a Fastify route config is that of a {@link WechatRawBodyRoute} handler. */
export function isWechatRawBodyRoute(config: unknown): boolean {
  return (
    typeof config === 'object' &&
    config !== null &&
    (config as Record<string, unknown>)[WECHAT_RAW_BODY_ROUTE] === true
  );
}
