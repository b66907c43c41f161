import { ConfigurableModuleBuilder, type DynamicModule } from '@nestjs/common';
import type { WechatModuleOptions } from './interfaces/wechat-module-options.interface';
import { DEFAULT_CALLBACK_PATH, WECHAT_CALLBACK_ENABLED } from './wechat.constants';
import { createWebhookController } from './webhook/create-webhook-controller';
import { createWechatRedisProvider } from './wechat-redis.provider';
import { createNamedAccountProviders } from './accounts/wechat-account.tokens';

/** Options of `forRoot`/`forRootAsync` that shape the module itself rather than its services. */
export interface WechatModuleExtras {
  /** Register the module globally. Default false. */
  isGlobal?: boolean;
  /** Path of the callback controller (default `wechat`), or `false` to mount none (API client only). */
  path?: string | false;
}

export const {
  ConfigurableModuleClass: WechatConfigurableModule,
  MODULE_OPTIONS_TOKEN: WECHAT_MODULE_OPTIONS,
  OPTIONS_TYPE: WECHAT_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: WECHAT_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<WechatModuleOptions>({ moduleName: 'Wechat' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createWechatOptions')
  .setExtras<WechatModuleExtras>(
    { isGlobal: false, path: DEFAULT_CALLBACK_PATH },
    (definition, extras): DynamicModule => {
      const named = createNamedAccountProviders();
      return {
        ...definition,
        global: extras.isGlobal,
        controllers:
          extras.path === false
            ? []
            : [createWebhookController(extras.path ?? DEFAULT_CALLBACK_PATH)],
        providers: [
          ...(definition.providers ?? []),
          { provide: WECHAT_CALLBACK_ENABLED, useValue: extras.path !== false },
          createWechatRedisProvider(WECHAT_MODULE_OPTIONS),
          ...named,
        ],
        exports: [...(definition.exports ?? []), ...named.map(({ provide }) => provide)],
      };
    },
  )
  .build();
