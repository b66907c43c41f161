import { WechatValidationError } from '../../errors/wechat-api.error';

// Argument checks shared by the API domains: each refuses before any HTTP call with a
// WechatValidationError naming the field, because WeChat would refuse the value too.

/** A non-empty string (after trimming). */
export function requireText(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new WechatValidationError(field, 'must be a non-empty string.');
  }
}

/** A string of at most `max` UTF-8 bytes (WeChat counts bytes, so one Chinese character is 3). */
export function requireMaxBytes(value: unknown, max: number, field: string, min = 1): void {
  if (typeof value !== 'string') throw new WechatValidationError(field, 'must be a string.');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes < min || bytes > max) {
    throw new WechatValidationError(
      field,
      `must be ${min} to ${max} bytes in UTF-8 (got ${bytes}).`,
    );
  }
}

/** A string of at most `max` characters (code points). */
export function requireMaxChars(value: unknown, max: number, field: string, min = 1): void {
  if (typeof value !== 'string') throw new WechatValidationError(field, 'must be a string.');
  const chars = [...value].length;
  if (chars < min || chars > max) {
    throw new WechatValidationError(field, `must be ${min} to ${max} characters (got ${chars}).`);
  }
}

/** An integer in `[min, max]`. */
export function requireInt(value: unknown, min: number, max: number, field: string): void {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new WechatValidationError(
      field,
      `must be an integer from ${min} to ${max} (got ${String(value)}).`,
    );
  }
}

/** One of `allowed`. */
export function requireOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  field: string,
): asserts value is T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new WechatValidationError(field, `must be one of ${allowed.join(', ')}.`);
  }
}

/** A non-empty array of non-empty strings. */
export function requireTextList(value: unknown, field: string): asserts value is string[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new WechatValidationError(field, 'must list at least one value.');
  }
  value.forEach((item, index) => requireText(item, `${field}[${index}]`));
}

/** `list` cut into chunks of at most `size`, in order. */
export function chunk<T>(list: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < list.length; i += size) chunks.push(list.slice(i, i + size));
  return chunks;
}

/** A plain object (not null, not an array). */
export function requireObject(value: unknown, field: string): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WechatValidationError(field, 'must be an object.');
  }
}
