import { DemoEnvError } from './demo-env.error';
import { envText, numberFromEnv } from './env-value.parser';
import type { DemoEnv } from './wechat-env.parser';
import { DEMO_ENV_TABLE } from './wechat-env.table';

/** The HTTP platforms the demo runs on (`HTTP_ADAPTER`). */
export type DemoHttpAdapter = keyof typeof DEMO_ENV_TABLE.httpAdapter.values;

/**
 * The demo's own HTTP settings, read from {@link DEMO_ENV_TABLE}'s variables (its Redis variables
 * are read by `readDemoRedis`).
 */
export interface DemoSettings {
  /** `PORT`; `0` picks a free one. */
  readonly port: number;
  /** `HTTP_ADAPTER`. */
  readonly httpAdapter: DemoHttpAdapter;
}

const { port, httpAdapter } = DEMO_ENV_TABLE;

/**
 * Reads and checks `PORT` and `HTTP_ADAPTER`.
 *
 * @throws DemoEnvError naming the variable and what it accepts.
 */
export function demoSettingsFromEnv(env: DemoEnv): DemoSettings {
  return {
    port: portFromEnv(envText(env, port.variable) ?? port.default),
    httpAdapter: adapterFromEnv(envText(env, httpAdapter.variable) ?? httpAdapter.default),
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
