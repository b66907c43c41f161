import { performance } from 'node:perf_hooks';

/**
 * The clock on which in-process credential lifetimes are measured, in ms: monotonic
 * (`performance.now()`), so a step of the wall clock (NTP, a VM resumed, an operator) neither
 * extends nor shortens a lifetime. Only differences between two of its readings mean anything.
 */
export function lifetimeClock(): number {
  return performance.now();
}

/**
 * How long a credential with WeChat's `expires_in` is served, in ms:
 * `expires_in − min(margin, expires_in / 2)`. The margin never takes more than half of the
 * lifetime, and the result grows continuously with `expires_in` (no cliff where `expires_in`
 * crosses the margin): with the default 300 s margin, 300 s → 150 s, 301 s → 150.5 s,
 * 600 s → 300 s, 7200 s → 6900 s.
 *
 * @param expiresInSeconds WeChat's `expires_in` (> 0).
 * @param marginSeconds the configured safety margin (`tokenSafetyMarginSeconds`, ≥ 0).
 */
export function servedLifetimeMs(expiresInSeconds: number, marginSeconds: number): number {
  const lifetime = expiresInSeconds * 1000;
  return lifetime - Math.min(marginSeconds * 1000, lifetime / 2);
}
