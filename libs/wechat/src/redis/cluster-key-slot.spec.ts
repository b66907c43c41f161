import { WechatConfigError } from '../errors/wechat-config.error';
import { assertKeysShareSlot, clusterKeySlot } from './cluster-key-slot';

describe('clusterKeySlot', () => {
  it('matches CLUSTER KEYSLOT on the examples of the Redis documentation', () => {
    expect(clusterKeySlot('somekey')).toBe(11058);
    expect(clusterKeySlot('foo{hash_tag}')).toBe(2515);
    expect(clusterKeySlot('hash_tag')).toBe(2515);
    expect(clusterKeySlot('123456789')).toBe(0x31c3 % 16384);
  });

  it('hashes only the first non-empty tag', () => {
    expect(clusterKeySlot('{user1000}.following')).toBe(clusterKeySlot('user1000'));
    expect(clusterKeySlot('foo{bar}{zap}')).toBe(clusterKeySlot('bar'));
    expect(clusterKeySlot('foo{{bar}}zap')).toBe(clusterKeySlot('{bar'));
    // An empty tag does not count: the whole key is hashed.
    expect(clusterKeySlot('foo{}{bar}')).not.toBe(clusterKeySlot('bar'));
    expect(clusterKeySlot('{')).toBe(clusterKeySlot('{'));
  });

  it('hashes UTF-8 bytes', () => {
    expect(clusterKeySlot('{公众号}:a')).toBe(clusterKeySlot('公众号'));
  });
});

describe('assertKeysShareSlot', () => {
  it('accepts the per-account keys of the key schema', () => {
    expect(() =>
      assertKeysShareSlot([['wechat:{wx1}:access_token', 'wechat:{wx1}:access_token_lock']]),
    ).not.toThrow();
  });

  it('names the keys of a group that spans slots', () => {
    let thrown: unknown;
    try {
      assertKeysShareSlot([
        ['a', 'a'],
        ['wechat:access_token:wx1', 'wechat:access_token_lock:wx1'],
      ]);
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WechatConfigError);
    expect((thrown as Error).message).toBe(
      'Invalid WechatModule configuration: The Redis keys "wechat:access_token:wx1", ' +
        '"wechat:access_token_lock:wx1" are used together by one script but hash to different ' +
        'Redis Cluster slots: check "keyPrefix" (its "{…}" must not change the hash tag of ' +
        'per-account keys).',
    );
  });
});
