import { lifetimeClock } from './credential-lifetime';
import { LocalCredentialCache } from './local-credential.cache';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('LocalCredentialCache', () => {
  afterEach(() => jest.restoreAllMocks());

  it('serves the same settled promise until the expiry, then nothing', async () => {
    const cache = new LocalCredentialCache();
    expect(cache.current()).toBeUndefined();
    cache.adopt('T1', lifetimeClock() + 60);
    const first = cache.current();
    expect(cache.current()).toBe(first);
    await expect(first).resolves.toBe('T1');
    cache.adopt('T1', (cache.held() as { expiresAt: number }).expiresAt);
    expect(cache.current()).toBe(first);
    await sleep(80);
    expect(cache.current()).toBeUndefined();
    expect(cache.held()).toBeUndefined();
    expect(cache.value).toBe('T1');
  });

  it('ignores wall-clock steps: a step back of one hour does not extend the copy', async () => {
    const cache = new LocalCredentialCache();
    cache.adopt('T1', lifetimeClock() + 60);
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() - 3_600_000);
    await sleep(80);
    expect(cache.current()).toBeUndefined();
  });

  it('forget(value) drops only that value; forget() drops any', () => {
    const cache = new LocalCredentialCache();
    cache.adopt('T1', lifetimeClock() + 60_000);
    cache.forget('T0');
    expect(cache.held()?.value).toBe('T1');
    cache.forget('T1');
    expect(cache.current()).toBeUndefined();
    cache.adopt('T2', lifetimeClock() + 60_000);
    cache.forget();
    expect(cache.value).toBeUndefined();
  });
});
