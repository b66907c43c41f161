import type { FactoryProvider } from '@nestjs/common';
import { WechatClientService } from '../api/wechat-client.service';
import { WechatHttpClient } from '../api/wechat-http.client';
import { MsgCryptService } from '../crypto/msg-crypt.service';
import { WechatConfigError } from '../errors/wechat-config.error';
import { JsapiTicketService } from '../jssdk/jsapi-ticket.service';
import { WechatJssdkService } from '../jssdk/wechat-jssdk.service';
import { WechatOAuthService } from '../oauth/wechat-oauth.service';
import { AccessTokenService } from '../token/access-token.service';
import type { WechatAccount } from './wechat-account';
import { WechatAccounts } from './wechat-accounts.registry';

/** The three per-account services that can be injected by account name. */
export type WechatAccountServiceKind = 'client' | 'tokens' | 'crypt';

/** What a named token stands for (read by the boot check of injections). */
export interface NamedAccountToken {
  readonly account: string;
  readonly kind: WechatAccountServiceKind;
}

const KIND_LABELS: Record<WechatAccountServiceKind, string> = {
  client: 'WechatClientService',
  tokens: 'AccessTokenService',
  crypt: 'MsgCryptService',
};

/** Every named token handed out so far, by account then kind (the module provides each). */
const named = new Map<string, Map<WechatAccountServiceKind, symbol>>();
const describedTokens = new Map<symbol, NamedAccountToken>();

function namedToken(account: string, kind: WechatAccountServiceKind): symbol {
  let kinds = named.get(account);
  if (!kinds) {
    kinds = new Map();
    named.set(account, kinds);
  }
  let token = kinds.get(kind);
  if (!token) {
    token = Symbol(`wechat:${kind}:${account}`);
    kinds.set(kind, token);
    describedTokens.set(token, { account, kind });
  }
  return token;
}

/**
 * The injection token of an account's {@link WechatClientService}: the class itself (the default
 * account) without a name. `@InjectWechatClient(name)` is `@Inject(getWechatClientToken(name))`.
 */
export function getWechatClientToken(account?: string): symbol | typeof WechatClientService {
  return account === undefined ? WechatClientService : namedToken(account, 'client');
}

/** The injection token of an account's {@link AccessTokenService} (the class without a name). */
export function getAccessTokenServiceToken(account?: string): symbol | typeof AccessTokenService {
  return account === undefined ? AccessTokenService : namedToken(account, 'tokens');
}

/** The injection token of an account's {@link MsgCryptService} (the class without a name). */
export function getMsgCryptServiceToken(account?: string): symbol | typeof MsgCryptService {
  return account === undefined ? MsgCryptService : namedToken(account, 'crypt');
}

/** What a named token stands for, or `undefined` for any other token. */
export function describeNamedToken(token: unknown): NamedAccountToken | undefined {
  return typeof token === 'symbol' ? describedTokens.get(token) : undefined;
}

/** The label of a service kind in messages. */
export function accountServiceLabel(kind: WechatAccountServiceKind): string {
  return KIND_LABELS[kind];
}

/** The unnamed tokens that mean the default account, with their labels. */
export const UNNAMED_ACCOUNT_TOKENS: ReadonlyMap<unknown, string> = new Map<unknown, string>([
  [WechatClientService, 'WechatClientService'],
  [AccessTokenService, 'AccessTokenService'],
  [MsgCryptService, 'MsgCryptService'],
  [WechatHttpClient, 'WechatHttpClient'],
  [JsapiTicketService, 'JsapiTicketService'],
  [WechatJssdkService, 'WechatJssdkService'],
  [WechatOAuthService, 'WechatOAuthService'],
]);

const SERVICE_OF: Record<WechatAccountServiceKind, (account: WechatAccount) => object> = {
  client: (account) => account.client,
  tokens: (account) => account.tokens,
  crypt: (account) => account.crypt,
};

/** Property names Nest (and promise resolution) read on any provider instance. */
const HARMLESS = new Set([
  'then',
  'constructor',
  'onModuleInit',
  'onApplicationBootstrap',
  'onModuleDestroy',
  'beforeApplicationShutdown',
  'onApplicationShutdown',
]);

/**
 * Stands in for a service of an account that does not exist (no default account, or an unknown
 * name) so that the module can start far enough for the boot check to name the injection; any use
 * of it throws the same {@link WechatConfigError}.
 */
export function missingAccountService(message: string): object {
  return new Proxy(Object.create(null) as object, {
    get(_target, property) {
      if (typeof property === 'symbol' || HARMLESS.has(property)) return undefined;
      throw new WechatConfigError(message);
    },
  });
}

/** The message for an unnamed service when there is no default account. */
export function noDefaultAccountMessage(what: string, names: readonly string[]): string {
  return `${what} means the default account, but ${names.length} accounts are configured (${names.map((n) => `"${n}"`).join(', ')}) and none is the default: set "defaultAccount", or inject one by name (@InjectWechatClient('name'), @InjectAccessTokenService('name'), @InjectMsgCryptService('name')).`;
}

/** Providers of the unnamed services: the default account's. */
export function createDefaultAccountProviders(): FactoryProvider[] {
  const of = (
    token: unknown,
    label: string,
    pick: (account: WechatAccount) => object,
  ): FactoryProvider => ({
    provide: token as symbol,
    inject: [WechatAccounts],
    useFactory: (accounts: WechatAccounts) => {
      const account = accounts.defaultAccount;
      return account
        ? pick(account)
        : missingAccountService(noDefaultAccountMessage(label, accounts.names()));
    },
  });
  return [
    of(WechatHttpClient, 'WechatHttpClient', (account) => account.http),
    of(AccessTokenService, 'AccessTokenService', (account) => account.tokens),
    of(WechatClientService, 'WechatClientService', (account) => account.client),
    of(MsgCryptService, 'MsgCryptService', (account) => account.crypt),
    of(JsapiTicketService, 'JsapiTicketService', (account) => account.tickets),
    of(WechatJssdkService, 'WechatJssdkService', (account) => account.jssdk),
    of(WechatOAuthService, 'WechatOAuthService', (account) => account.oauth),
  ];
}

/** Providers of every named token handed out so far (see {@link getWechatClientToken}). */
export function createNamedAccountProviders(): FactoryProvider[] {
  const providers: FactoryProvider[] = [];
  for (const [account, kinds] of named) {
    for (const [kind, token] of kinds) {
      providers.push({
        provide: token,
        inject: [WechatAccounts],
        useFactory: (accounts: WechatAccounts) => {
          const found = accounts.find(account);
          return found
            ? SERVICE_OF[kind](found)
            : missingAccountService(unknownAccountMessage(kind, account, accounts.names()));
        },
      });
    }
  }
  return providers;
}

/** The message for a named service of an account that is not configured. */
export function unknownAccountMessage(
  kind: WechatAccountServiceKind,
  account: string,
  names: readonly string[],
): string {
  return `the ${KIND_LABELS[kind]} of account "${account}" is injected, but no account of that name is configured (${names.map((n) => `"${n}"`).join(', ') || 'none'}).`;
}
