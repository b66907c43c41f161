import { WechatConfigError } from '../errors/wechat-config.error';

/** Number of hash slots of a Redis Cluster. */
const SLOT_COUNT = 16_384;

/** CRC16-CCITT (XMODEM) lookup table, the checksum Redis Cluster hashes keys with. */
const CRC16_TABLE = ((): Uint16Array => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
    table[byte] = crc;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ byte) & 0xff];
  return crc;
}

/**
 * The Redis Cluster hash slot of `key`, as `CLUSTER KEYSLOT` computes it: CRC16 of the key's hash
 * tag (the bytes between its first `{` and the next `}`, when not empty) or of the whole key, mod
 * 16 384.
 */
export function clusterKeySlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  const open = bytes.indexOf(0x7b);
  if (open !== -1) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) return crc16(bytes.subarray(open + 1, close)) % SLOT_COUNT;
  }
  return crc16(bytes) % SLOT_COUNT;
}

/**
 * Checks that keys one script (or multi-key command) uses together hash to one slot, as a Redis
 * Cluster requires (`CROSSSLOT` otherwise).
 *
 * @param groups each group: the keys one script touches together.
 * @throws WechatConfigError naming the keys of the first group that spans slots.
 */
export function assertKeysShareSlot(groups: readonly (readonly string[])[]): void {
  for (const keys of groups) {
    const slots = new Set(keys.map(clusterKeySlot));
    if (slots.size > 1) {
      throw new WechatConfigError(
        `The Redis keys ${keys.map((key) => `"${key}"`).join(', ')} are used together by one ` +
          'script but hash to different Redis Cluster slots: check "keyPrefix" (its "{…}" must ' +
          'not change the hash tag of per-account keys).',
      );
    }
  }
}
