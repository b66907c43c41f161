import { retryPause, withTimeout } from './redis-wait.util';

describe('redis wait helpers', () => {
  it('backs off 25, 50, 100, then 200 ms for every later retry', () => {
    expect([0, 1, 2, 3, 4, 10].map(retryPause)).toEqual([25, 50, 100, 200, 200, 200]);
  });

  it('passes a settled promise through, value or error', async () => {
    await expect(withTimeout(Promise.resolve('v'), 1000, () => new Error('late'))).resolves.toBe(
      'v',
    );
    await expect(
      withTimeout(Promise.reject(new Error('own')), 1000, () => new Error('late')),
    ).rejects.toThrow('own');
  });

  it('rejects with the timeout error once the time has passed, and ignores a later rejection', async () => {
    let rejectLater: (error: Error) => void = () => undefined;
    const slow = new Promise<never>((_, reject) => (rejectLater = reject));
    const timedOut = new RangeError('did not answer');
    await expect(withTimeout(slow, 10, () => timedOut)).rejects.toBe(timedOut);
    rejectLater(new Error('after the timeout'));
    await new Promise((resolve) => setImmediate(resolve));
    // A budget already spent times out at once (on the next timer tick).
    await expect(withTimeout(new Promise(() => undefined), -5, () => timedOut)).rejects.toBe(
      timedOut,
    );
  });
});
