/** Stops the redis-server that global-setup started (once, whichever project ends last). */
export default async function globalTeardown(): Promise<void> {
  const redis = globalThis.__WECHAT_TEST_REDIS__;
  globalThis.__WECHAT_TEST_REDIS__ = undefined;
  await redis?.stop();
}
