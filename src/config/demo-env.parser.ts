import { DemoEnvError } from './demo-env.error';
import { envText, numberFromEnv } from './env-value.parser';
import type { DemoEnv } from './wechat-env.parser';
import { DEMO_ENV_TABLE } from './wechat-env.table';

/** The HTTP platforms the demo runs on (`HTTP_ADAPTER`). */
export type DemoHttpAdapter = keyof typeof DEMO_ENV_TABLE.httpAdapter.values;

/** The demo's own settings (not module options), read from {@link DEMO_ENV_TABLE}'s variables. */
export interface DemoSettings {
  /** `PORT`; `0` picks a free one. */
  readonly port: number;
  /** `HTTP_ADAPTER`. */
  readonly httpAdapter: DemoHttpAdapter;
  /** `REDIS_URL`; `undefined` means in-memory. */
  readonly redisUrl: string | undefined;
}

const { port, httpAdapter, redisUrl } = DEMO_ENV_TABLE;

/**
 * Reads and checks `PORT`, `HTTP_ADAPTER` and `REDIS_URL`.
 *
 * @throws DemoEnvError naming the variable and what it accepts (never `REDIS_URL`'s value, which
 * may hold a password).
 */
export function demoSettingsFromEnv(env: DemoEnv): DemoSettings {
  return {
    port: portFromEnv(envText(env, port.variable) ?? port.default),
    httpAdapter: adapterFromEnv(envText(env, httpAdapter.variable) ?? httpAdapter.default),
    redisUrl: redisUrlFromEnv(env),
  };
}

function portFromEnv(text: string): number {
  const value = numberFromEnv(text);
  if (Number.isInteger(value) && value >= 0 && value <= 65_535) return value;
  throw new DemoEnvError(
    port.variable,
    `${port.variable} must be an integer from 0 to 65535 (got ${JSON.stringify(text)}).`,
  );
}

function adapterFromEnv(text: string): DemoHttpAdapter {
  const names = Object.keys(httpAdapter.values) as DemoHttpAdapter[];
  const name = names.find((candidate) => candidate === text.trim().toLowerCase());
  if (name !== undefined) return name;
  throw new DemoEnvError(
    httpAdapter.variable,
    `${httpAdapter.variable} must be ${names.map((n) => `"${n}"`).join(' or ')} (got ${JSON.stringify(text)}).`,
  );
}

/**
 * `REDIS_URL` alone (what `AppModule.register` needs), or `undefined` when unset.
 *
 * @throws DemoEnvError when it is not a redis:// or rediss:// URL (its value is not repeated).
 */
export function redisUrlFromEnv(env: DemoEnv): string | undefined {
  const text = envText(env, redisUrl.variable);
  if (text === undefined) return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(text).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol === 'redis:' || protocol === 'rediss:') return text;
  throw new DemoEnvError(
    redisUrl.variable,
    `${redisUrl.variable} must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379.`,
  );
}
