import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  closeTestRedisClients,
  testRedisClient,
} from '../../../../test/support/test-redis-clients';
import type { AccessTokenStore } from './access-token-store.interface';
import { MemoryAccessTokenStore } from './memory-access-token.store';
import { RedisAccessTokenStore } from './redis-access-token.store';
import { RejectedCredentialRegistry } from './rejected-credential.registry';
import { SharedStoreHealth } from './shared-store.health';

const health = () => new SharedStoreHealth(new Logger('RejectedRegistrySpec'), 'test', () => []);

afterAll(closeTestRedisClients);

describe.each<[string, () => AccessTokenStore]>([
  ['MemoryAccessTokenStore', () => new MemoryAccessTokenStore()],
  ['RedisAccessTokenStore', () => new RedisAccessTokenStore(testRedisClient())],
])('RejectedCredentialRegistry on %s', (_name, create) => {
  it('a value one process marked is rejected for every other; the mark holds a digest, not the value', async () => {
    const store = create();
    const markPrefix = `unit:${randomUUID()}:access_token_rejected:wx1:`;
    const here = new RejectedCredentialRegistry(store, health(), markPrefix, 60_000);
    const elsewhere = new RejectedCredentialRegistry(store, health(), markPrefix, 60_000);
    expect(here.record('TOKEN-A')).toBe(false);
    expect(here.record('TOKEN-A')).toBe(true);
    expect(here.isKnownHere('TOKEN-A')).toBe(true);
    expect(await elsewhere.isRejected('TOKEN-A')).toBe(false);
    await here.share('TOKEN-A');
    expect(await elsewhere.isRejected('TOKEN-A')).toBe(true);
    expect(elsewhere.isKnownHere('TOKEN-A')).toBe(false);
    expect(await elsewhere.isRejected('TOKEN-B')).toBe(false);
    // sha256('TOKEN-A') in base64url
    const mark = await store.get(`${markPrefix}ZCSRTWbinxxnzeK-nCrkmvXnAc-frO0HckveGRRwzNA`);
    expect(mark?.value).toBe('1');
    expect(mark?.ttlMs).toBeGreaterThan(59_000);
  });
});
