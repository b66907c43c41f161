/** The environment the demo reads its WeChat and Redis configuration from. */
const DEMO_ENV = [
  'WECHAT_APP_ID',
  'WECHAT_APP_SECRET',
  'WECHAT_TOKEN',
  'WECHAT_ENCODING_AES_KEY',
  'WECHAT_ACCOUNTS',
  'WECHAT_API_BASE_URL',
  'REDIS_URL',
] as const;

/**
 * Clears the demo's configuration from `process.env`, as on a fresh machine (so the demo starts in
 * sandbox mode); returns a function that puts the previous values back.
 */
export function clearDemoEnv(): () => void {
  const saved = new Map(DEMO_ENV.map((name) => [name, process.env[name]]));
  for (const name of DEMO_ENV) delete process.env[name];
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
