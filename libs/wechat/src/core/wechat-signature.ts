import { createHash, hash, timingSafeEqual } from 'node:crypto';

/** A SHA-1 signature in hex: exactly 40 hexadecimal digits. */
const SIGNATURE_PATTERN = /^[0-9a-fA-F]{40}$/;

/**
 * WeChat's signature: the parts sorted byte-wise (UTF-8), concatenated without separator, SHA-1,
 * lowercase hex (protocol.md §1 and §2.1).
 *
 * - URL / plaintext `signature`: `computeSignature(token, timestamp, nonce)`.
 * - Safe-mode `msg_signature`: `computeSignature(token, timestamp, nonce, encrypt)`.
 *
 * @example
 * ```ts
 * computeSignature('AAAAA', '1714036504', '1514711492'); // 'f464b24fc39322e44b38aa78f5edd27bd1441696'
 * ```
 */
export function computeSignature(...parts: string[]): string {
  return digestHex(parts);
}

/**
 * Checks the 3-parameter `signature` of a callback request (`sha1(sort(token, timestamp, nonce))`)
 * in constant time. Never throws: a missing, empty, non-string or malformed (not 40 hex digits)
 * input is simply `false`.
 */
export function verifySignature(
  token: string,
  timestamp: unknown,
  nonce: unknown,
  signature: unknown,
): boolean {
  return verifyParts([token, timestamp, nonce], signature);
}

/**
 * Checks the 4-parameter `msg_signature` of safe mode (`sha1(sort(token, timestamp, nonce, encrypt))`)
 * in constant time. Never throws: a missing, empty, non-string or malformed input is `false`.
 */
export function verifyMsgSignature(
  token: string,
  timestamp: unknown,
  nonce: unknown,
  encrypt: unknown,
  msgSignature: unknown,
): boolean {
  return verifyParts([token, timestamp, nonce, encrypt], msgSignature);
}

function verifyParts(parts: unknown[], signature: unknown): boolean {
  if (typeof signature !== 'string' || !SIGNATURE_PATTERN.test(signature)) return false;
  for (const part of parts) {
    if (typeof part !== 'string' || part === '') return false;
  }
  // Every part is a non-empty string now. Both sides are 20 raw bytes, so timingSafeEqual never
  // sees different lengths.
  const expected = digestHex(parts as string[]);
  return timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(signature, 'hex'));
}

/** A UTF-16 unit at or above U+D800: where UTF-16 order and UTF-8 byte order may disagree. */
const HIGH_CODE_UNIT = /[\uD800-\uFFFF]/;

/** Hashes `parts` in WeChat's order; `parts` (a fresh array of the caller's) is sorted in place. */
function digestHex(parts: string[]): string {
  // Below U+D800, comparing UTF-16 code units orders strings exactly as comparing their UTF-8
  // bytes, so the usual parts (ASCII tokens, digits, base64) are sorted and hashed as strings.
  if (!parts.some((part) => HIGH_CODE_UNIT.test(part))) {
    return sha1Hex(sortStrings(parts).join(''));
  }
  const buffers = parts.map((part) => Buffer.from(part, 'utf8'));
  buffers.sort((a, b) => Buffer.compare(a, b));
  const sha1 = createHash('sha1');
  for (const buffer of buffers) sha1.update(buffer);
  return sha1.digest('hex');
}

/**
 * Sorts a handful of strings by UTF-16 code units, in place (an insertion sort: WeChat signs 3 or 4
 * parts, and `Array.prototype.sort` allocates a work area of its own each call).
 */
function sortStrings(parts: string[]): string[] {
  for (let i = 1; i < parts.length; i += 1) {
    const part = parts[i];
    let j = i - 1;
    while (j >= 0 && parts[j] > part) {
      parts[j + 1] = parts[j];
      j -= 1;
    }
    parts[j + 1] = part;
  }
  return parts;
}

/** `crypto.hash` (Node ≥ 20.12) skips the Hash object; older Node 20 releases use createHash. */
const oneShotHash: typeof hash | undefined = typeof hash === 'function' ? hash : undefined;

function sha1Hex(data: string): string {
  return oneShotHash
    ? oneShotHash('sha1', data, 'hex')
    : createHash('sha1').update(data, 'utf8').digest('hex');
}
