import { redisKeySlot } from './redis-key-slot';

describe('redisKeySlot (Redis Cluster key hashing)', () => {
  it.each([
    // CRC16/XMODEM check value 0x31C3, and slots Redis answers to CLUSTER KEYSLOT
    ['123456789', 12_739],
    ['foo', 12_182],
    ['bar', 5_061],
    ['', 0],
  ])('%j is in slot %d', (key, slot) => {
    expect(redisKeySlot(key)).toBe(slot);
  });

  it('hashes only the hash tag: the bytes between the first { and the next }', () => {
    expect(redisKeySlot('a:{foo}:b')).toBe(redisKeySlot('foo'));
    expect(redisKeySlot('{foo}{bar}')).toBe(redisKeySlot('foo'));
    expect(redisKeySlot('x{foo}}')).toBe(redisKeySlot('foo'));
    expect(redisKeySlot('x{{foo}')).toBe(redisKeySlot('{foo'));
  });

  it('hashes the whole key when the tag is empty or not closed', () => {
    expect(redisKeySlot('{}foo')).not.toBe(redisKeySlot('foo'));
    expect(redisKeySlot('{}foo')).toBe(redisKeySlot('{}foo'));
    expect(redisKeySlot('{foo')).toBe(redisKeySlot('{foo'));
    expect(redisKeySlot('{foo')).not.toBe(redisKeySlot('foo'));
  });

  it('hashes UTF-8 bytes', () => {
    expect(redisKeySlot('{用户}')).toBe(redisKeySlot('用户'));
  });
});
