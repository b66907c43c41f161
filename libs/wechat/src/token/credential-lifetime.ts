/**
 * The clock on which in-process credential lifetimes are measured, in ms. Only differences between
 * two of its readings mean anything.
 */
export function lifetimeClock(): number {
  return Date.now();
}

/**
 * How long a credential with WeChat's `expires_in` is served, in ms: `expires_in` minus the safety
 * margin; if the margin is not shorter than `expires_in` (a stable token handed out shortly before
 * its rotation), half of `expires_in`.
 *
 * @param expiresInSeconds WeChat's `expires_in` (> 0).
 * @param marginSeconds the configured safety margin (`tokenSafetyMarginSeconds`, ≥ 0).
 */
export function servedLifetimeMs(expiresInSeconds: number, marginSeconds: number): number {
  const lifetime = expiresInSeconds * 1000;
  const margin = marginSeconds * 1000;
  return lifetime > margin ? lifetime - margin : Math.floor(lifetime / 2);
}
