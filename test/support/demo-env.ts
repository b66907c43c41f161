import { ENV_VARIABLES } from '../../src/config/wechat-env.table';

/**
 * Clears every variable the demo reads (its table, `src/config/wechat-env.table.ts`: `PORT`,
 * `HTTP_ADAPTER`, `REDIS_URL` and each `WECHAT_*` module option) from `process.env`, as on a fresh
 * machine (so the demo starts in sandbox mode with every default, whatever the developer's shell
 * holds); returns a function that puts the previous values back. The harness's own variables
 * (`WECHAT_TEST_REDIS_URL`) are not the demo's and stay.
 */
export function clearDemoEnv(): () => void {
  const saved = new Map(ENV_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of ENV_VARIABLES) delete process.env[name];
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
