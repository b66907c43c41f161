import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { WechatAccounts } from '../accounts/wechat-accounts.registry';
import { WechatConfigError } from '../errors/wechat-config.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import type { WechatMessage } from '../core/wechat-message.interfaces';
import type { WechatContext } from '../interfaces/wechat-handler.interfaces';
import { WECHAT_OPTIONS } from '../wechat.constants';
import { WechatHandlerRegistry } from './wechat-handler.registry';
import { WechatMetadataAccessor } from './wechat-metadata.accessor';

type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/**
 * Finds every `@OnWechatEvent` / `@OnWechatMessage` / `@OnWechatFallback` method on the host app's
 * providers and controllers at start-up and fills the {@link WechatHandlerRegistry}.
 */
@Injectable()
export class WechatExplorer implements OnModuleInit {
  private readonly logger = new Logger('WechatModule');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: WechatMetadataAccessor,
    private readonly registry: WechatHandlerRegistry,
    private readonly accounts: WechatAccounts,
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
  ) {}

  onModuleInit(): void {
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    const seen = new Set<object>();
    for (const wrapper of wrappers) {
      this.explore(wrapper, seen);
    }
    if (this.registry.size > 0 && !this.anyAccountHasToken()) {
      throw new WechatConfigError(
        `${this.registry.size} WeChat handler(s) are registered but no callback token is configured: set the "token" option to the Token of the admin console's server configuration.`,
      );
    }
    this.checkAccountFilters();
  }

  private anyAccountHasToken(): boolean {
    if (this.options.token || this.accounts.hasLoader) return true;
    return this.accounts.names().some((name) => this.accounts.find(name)?.options.token);
  }

  /** Each handler's account filter names a configured account (unless a loader adds accounts). */
  private checkAccountFilters(): void {
    if (this.accounts.hasLoader) return;
    for (const { handler, account } of this.registry.accountFilters()) {
      if (this.accounts.find(account)) continue;
      throw new WechatConfigError(
        `handler ${handler} is filtered to account "${account}", which is not configured (${this.accounts
          .names()
          .map((name) => `"${name}"`)
          .join(', ')}).`,
      );
    }
  }

  private explore(wrapper: InstanceWrapper, seen: Set<object>): void {
    const instance: unknown = wrapper.instance;
    if (!instance || typeof instance !== 'object' || wrapper.isAlias) return;
    const prototype = Object.getPrototypeOf(instance) as object | null;
    if (!prototype || seen.has(instance)) return;
    seen.add(instance);
    const methodNames = this.scanner.getAllMethodNames(prototype);
    const handlerMethods = methodNames.filter(
      (name) => this.accessor.getHandlerMetadata(Reflect.get(prototype, name)).length > 0,
    );
    if (handlerMethods.length === 0) return;
    const className = (instance as { constructor: { name: string } }).constructor.name;
    if (!wrapper.isDependencyTreeStatic()) {
      this.logger.warn(
        `${className} is request-scoped or transient: its WeChat handlers (${handlerMethods.join(', ')}) are ignored. Make the provider a singleton.`,
      );
      return;
    }
    for (const methodName of handlerMethods) {
      const method = Reflect.get(prototype, methodName) as (
        message: WechatMessage,
        context: WechatContext,
      ) => unknown;
      for (const metadata of this.accessor.getHandlerMetadata(method)) {
        this.registry.register({
          metadata,
          name: `${className}.${methodName}`,
          handle: method.bind(instance),
        });
      }
    }
  }
}
