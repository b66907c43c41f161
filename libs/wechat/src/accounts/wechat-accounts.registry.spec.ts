import { WechatAccountNotFoundError } from '../errors/wechat-account-not-found.error';
import { WechatConfigError } from '../errors/wechat-config.error';
import type { WechatAccountOptions } from '../interfaces/wechat-account-options.interface';
import type { WechatModuleOptions } from '../interfaces/wechat-module-options.interface';
import { MemoryAccessTokenStore } from '../token/memory-access-token.store';
import { WechatAccounts } from './wechat-accounts.registry';
import { resolveWechatAccounts } from './wechat-accounts.resolver';

const SHOP: WechatAccountOptions = {
  name: 'shop',
  appId: 'wx2222222222222222',
  appSecret: 'shop-secret',
  token: 'shopToken',
};

function registry(options: WechatModuleOptions): WechatAccounts {
  return new WechatAccounts(resolveWechatAccounts(options, true), new MemoryAccessTokenStore());
}

describe('WechatAccounts', () => {
  afterEach(() => jest.restoreAllMocks());

  it('finds accounts by name and by AppID', () => {
    const accounts = registry({ accounts: [SHOP, { ...SHOP, name: 'blog', appId: 'wx3' }] });
    expect(accounts.get('shop').appId).toBe(SHOP.appId);
    expect(accounts.get('wx3').name).toBe('blog');
    expect(accounts.find('nobody')).toBeUndefined();
    expect(() => accounts.get('nobody')).toThrow(WechatAccountNotFoundError);
    expect(accounts.defaultAccount).toBeUndefined();
    expect(accounts.size).toBe(2);
  });

  it('the only account is the default one; defaultAccount picks one of several', () => {
    expect(registry({ accounts: [SHOP] }).defaultAccount?.name).toBe('shop');
    const two = registry({
      accounts: [SHOP, { ...SHOP, name: 'blog', appId: 'wx3' }],
      defaultAccount: 'blog',
    });
    expect(two.defaultAccount?.name).toBe('blog');
  });

  it('inherits tokenMode, requireEncryption and replayWindowSeconds from the top level', () => {
    const accounts = registry({
      accounts: [SHOP, { ...SHOP, name: 'blog', appId: 'wx3', tokenMode: 'token' }],
      tokenMode: 'stable_token',
      replayWindowSeconds: 300,
      apiBaseUrl: 'http://127.0.0.1:1',
    });
    expect(accounts.get('shop').options).toMatchObject({
      tokenMode: 'stable_token',
      replayWindowSeconds: 300,
      requireEncryption: false,
      apiBaseUrl: 'http://127.0.0.1:1',
    });
    expect(accounts.get('blog').options.tokenMode).toBe('token');
  });

  it('validates registrations like the boot options', () => {
    const accounts = registry({ accounts: [SHOP] });
    expect(() => accounts.register({ ...SHOP, name: 'a b', appId: 'wx9' })).toThrow(
      WechatConfigError,
    );
    expect(() => accounts.register({ ...SHOP, name: 'x', appId: 'wx9', appSecret: '' })).toThrow(
      'account "x": "appSecret" is missing',
    );
    expect(accounts.names()).toEqual(['shop']);
  });

  describe('with a loader', () => {
    it('reloads after accountCacheTtlMs, keeping the instance when nothing changed', async () => {
      let now = 1_000_000;
      jest.spyOn(Date, 'now').mockImplementation(() => now);
      let stored: WechatAccountOptions = { ...SHOP, name: 'news', appId: 'wx5' };
      const loader = jest.fn(() => Promise.resolve(stored));
      const accounts = registry({
        accounts: [SHOP],
        resolveAccount: loader,
        accountCacheTtlMs: 1_000,
      });
      const first = await accounts.resolve('news');
      expect(first?.appId).toBe('wx5');
      expect(accounts.resolve('news')).toBe(first);
      expect(loader).toHaveBeenCalledTimes(1);
      now += 1_001;
      expect(await accounts.resolve('news')).toBe(first);
      expect(loader).toHaveBeenCalledTimes(2);
      now += 1_001;
      stored = { ...stored, token: 'rotatedToken' };
      const rotated = await accounts.resolve('news');
      expect(rotated).not.toBe(first);
      expect(rotated?.options.token).toBe('rotatedToken');
      expect(accounts.find('wx5')).toBe(rotated);
    });

    it('forgets a loaded account the loader no longer knows, and caches misses', async () => {
      let now = 1_000_000;
      jest.spyOn(Date, 'now').mockImplementation(() => now);
      let stored: WechatAccountOptions | undefined = { ...SHOP, name: 'news', appId: 'wx5' };
      const loader = jest.fn(() => Promise.resolve(stored));
      const accounts = registry({
        accounts: [SHOP],
        resolveAccount: loader,
        accountCacheTtlMs: 1_000,
        accountMissTtlMs: 500,
      });
      expect(await accounts.resolve('news')).toBeDefined();
      stored = undefined;
      now += 1_001;
      expect(await accounts.resolve('news')).toBeUndefined();
      expect(accounts.find('wx5')).toBeUndefined();
      expect(accounts.resolve('news')).toBeUndefined();
      expect(loader).toHaveBeenCalledTimes(2);
      now += 501;
      stored = { ...SHOP, name: 'news', appId: 'wx5' };
      expect(await accounts.resolve('news')).toBeDefined();
      expect(loader).toHaveBeenCalledTimes(3);
    });

    it('never asks the loader about a name no account can have', async () => {
      const loader = jest.fn(() => undefined);
      const accounts = registry({ accounts: [SHOP], resolveAccount: loader });
      for (const name of ['a b', 'x\nforged log line', '', 'é', 'a'.repeat(65)]) {
        expect(await accounts.resolve(name)).toBeUndefined();
      }
      expect(loader).not.toHaveBeenCalled();
    });

    it('remembers at most 10 000 misses: random names cannot grow the memory', async () => {
      const loader = jest.fn((_name: string) => undefined);
      const accounts = registry({ accounts: [SHOP], resolveAccount: loader });
      for (let i = 0; i <= 10_000; i += 1) await accounts.resolve(`random${i}`);
      expect(loader).toHaveBeenCalledTimes(10_001);
      // The last one is still remembered; the first was forgotten to make room.
      await accounts.resolve('random10000');
      expect(loader).toHaveBeenCalledTimes(10_001);
      await accounts.resolve('random0');
      expect(loader).toHaveBeenCalledTimes(10_002);
    });

    it('a loader result that clashes with a registered AppID is a miss', async () => {
      const accounts = registry({
        accounts: [SHOP],
        resolveAccount: () => ({ ...SHOP, name: 'copy' }),
      });
      expect(await accounts.resolve('copy')).toBeUndefined();
    });
  });
});
