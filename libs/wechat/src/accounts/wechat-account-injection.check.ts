import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { WechatConfigError } from '../errors/wechat-config.error';
import {
  UNNAMED_ACCOUNT_TOKENS,
  describeNamedToken,
  noDefaultAccountMessage,
  unknownAccountMessage,
} from './wechat-account.tokens';
import { WechatAccounts } from './wechat-accounts.registry';

type InstanceWrapper = ReturnType<DiscoveryService['getProviders']>[number];

/** Nest's metadata keys of `@Inject()` on constructor parameters and on properties. */
const SELF_DECLARED_DEPS = 'self:paramtypes';
const PROPERTY_DEPS = 'self:properties_metadata';
const PARAM_TYPES = 'design:paramtypes';

/**
 * At start-up, fails with a {@link WechatConfigError} naming the class when a provider or
 * controller of the app injects:
 * - an unnamed `WechatClientService`, `AccessTokenService`, `MsgCryptService` or
 *   `WechatHttpClient` while several accounts are configured and none is the default;
 * - a named one (`@InjectWechatClient('shop')`) of an account that is not configured.
 */
@Injectable()
export class WechatAccountInjectionCheck implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly accounts: WechatAccounts,
  ) {}

  onModuleInit(): void {
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      for (const token of injectedTokens(wrapper)) this.check(token, wrapper);
    }
  }

  private check(token: unknown, wrapper: InstanceWrapper): void {
    const unnamed = UNNAMED_ACCOUNT_TOKENS.get(token);
    if (unnamed !== undefined && !this.accounts.defaultAccount) {
      throw new WechatConfigError(
        `${nameOf(wrapper)} injects ${noDefaultAccountMessage(unnamed, this.accounts.names())}`,
      );
    }
    const named = describeNamedToken(token);
    if (named && !this.accounts.find(named.account)) {
      throw new WechatConfigError(
        `${nameOf(wrapper)}: ${unknownAccountMessage(named.kind, named.account, this.accounts.names())}`,
      );
    }
  }
}

/** The tokens a provider or controller is built with (constructor, properties, factory inject). */
function injectedTokens(wrapper: InstanceWrapper): unknown[] {
  if (wrapper.isAlias) return [];
  const tokens: unknown[] = [];
  const inject = (wrapper as { inject?: readonly unknown[] | null }).inject;
  if (Array.isArray(inject)) {
    for (const item of inject) {
      tokens.push(
        typeof item === 'object' && item !== null && 'token' in item
          ? (item as { token: unknown }).token
          : item,
      );
    }
    return tokens;
  }
  const metatype: unknown = wrapper.metatype;
  if (typeof metatype !== 'function') return tokens;
  const params = (Reflect.getMetadata(PARAM_TYPES, metatype) as unknown[] | undefined) ?? [];
  const declared =
    (Reflect.getMetadata(SELF_DECLARED_DEPS, metatype) as
      Array<{ index: number; param: unknown }> | undefined) ?? [];
  const merged = [...params];
  for (const { index, param } of declared) merged[index] = param;
  tokens.push(...merged);
  const properties =
    (Reflect.getMetadata(PROPERTY_DEPS, metatype) as Array<{ type: unknown }> | undefined) ?? [];
  for (const { type } of properties) tokens.push(type);
  return tokens;
}

function nameOf(wrapper: InstanceWrapper): string {
  const metatype: unknown = wrapper.metatype;
  if (typeof metatype === 'function' && metatype.name) return metatype.name;
  return typeof wrapper.token === 'symbol' ? wrapper.token.toString() : String(wrapper.name);
}
