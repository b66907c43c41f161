/** Number of hash slots of a Redis Cluster. */
export const REDIS_CLUSTER_SLOTS = 16_384;

const CRC16_TABLE = buildCrc16Table();

/**
 * The hash slot of `key` as a Redis Cluster computes it (and ioredis with it): CRC16/XMODEM of the
 * key's UTF-8 bytes, or of its hash tag (the bytes between the first `{` and the next `}`, when
 * not empty), modulo 16 384.
 */
export function redisKeySlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  let start = 0;
  let end = bytes.length;
  const open = bytes.indexOf(0x7b);
  if (open >= 0) {
    const close = bytes.indexOf(0x7d, open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i += 1) {
    crc = ((crc << 8) ^ CRC16_TABLE[((crc >> 8) ^ bytes[i]) & 0xff]) & 0xffff;
  }
  return crc % REDIS_CLUSTER_SLOTS;
}

function buildCrc16Table(): Uint16Array {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n += 1) {
    let crc = n << 8;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
    table[n] = crc;
  }
  return table;
}
