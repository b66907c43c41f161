import { servedLifetimeMs } from './credential-lifetime';

describe('servedLifetimeMs (expires_in − min(margin, expires_in / 2))', () => {
  it.each([
    // [expires_in s, margin s, served ms]
    [7200, 300, 6_900_000],
    [601, 300, 301_000],
    [600, 300, 300_000],
    [599, 300, 299_500],
    [302, 300, 151_000],
    [301, 300, 150_500],
    [300, 300, 150_000],
    [299, 300, 149_500],
    [4, 300, 2_000],
    [1, 300, 500],
    [7200, 0, 7_200_000],
    [7200, 3600, 3_600_000],
    [7200, 3601, 3_600_000],
  ])('expires_in %i s, margin %i s → %i ms', (expiresIn, margin, served) => {
    expect(servedLifetimeMs(expiresIn, margin)).toBe(served);
  });

  it('is continuous and non-decreasing around the margin (no cliff)', () => {
    let previous = 0;
    for (let tenths = 2900; tenths <= 3100; tenths++) {
      const served = servedLifetimeMs(tenths / 10, 300);
      expect(served).toBeGreaterThanOrEqual(previous);
      if (previous > 0) expect(served - previous).toBeLessThanOrEqual(100);
      previous = served;
    }
  });
});
