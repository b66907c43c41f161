import type { WechatAccountOptions } from '@app/wechat';
import { DemoEnvError } from './demo-env.error';

/** The fields of one entry of `WECHAT_ACCOUNTS`. */
const FIELDS = ['name', 'appId', 'appSecret', 'token', 'encodingAESKey'] as const;

/**
 * Parses `WECHAT_ACCOUNTS`: a JSON array of `{ "name", "appId", "appSecret", "token",
 * "encodingAESKey"? }`. Unset or empty → `undefined` (the single-account variables alone). The
 * accounts themselves are validated by the module at start-up, with messages that name them.
 *
 * @throws DemoEnvError when the variable is not such an array (the message never repeats its content).
 */
export function parseWechatAccounts(value: string | undefined): WechatAccountOptions[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new DemoEnvError(
      'WECHAT_ACCOUNTS',

      'WECHAT_ACCOUNTS must be a JSON array of { name, appId, appSecret, token, encodingAESKey? } (it is not valid JSON)',
    );
  }
  if (!Array.isArray(parsed)) {
    throw new DemoEnvError(
      'WECHAT_ACCOUNTS',

      'WECHAT_ACCOUNTS must be a JSON array of { name, appId, appSecret, token, encodingAESKey? }',
    );
  }
  return parsed.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new DemoEnvError(
        'WECHAT_ACCOUNTS',

        `WECHAT_ACCOUNTS[${index}] must be an object { name, appId, appSecret, token, encodingAESKey? }`,
      );
    }
    const record = entry as Record<string, unknown>;
    const account: Record<string, unknown> = {};
    for (const field of FIELDS) {
      if (record[field] !== undefined && record[field] !== '') account[field] = record[field];
    }
    return account as unknown as WechatAccountOptions;
  });
}
