import { PushHandlingTracker } from './push-handling.tracker';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PushHandlingTracker', () => {
  it('tracks a handling until it settles, fulfilled or rejected, and returns it unchanged', async () => {
    const tracker = new PushHandlingTracker();
    let finish!: (value: string) => void;
    const running = new Promise<string>((resolve) => (finish = resolve));
    const failing = Promise.reject(new Error('handler failed'));
    expect(tracker.track(running, 10_000)).toBe(running);
    expect(tracker.track(failing, 10_000)).toBe(failing);
    await failing.catch(() => undefined);
    await sleep(0);
    expect(tracker.size).toBe(1);
    finish('done');
    await running;
    await sleep(0);
    expect(tracker.size).toBe(0);
  });

  it('drops a handling that never settles once its bound has passed', async () => {
    const tracker = new PushHandlingTracker();
    void tracker.track(new Promise(() => undefined), 30);
    expect(tracker.size).toBe(1);
    await sleep(40);
    expect(tracker.size).toBe(0);
  });

  it('drain waits for the handlings in flight, and no longer than its timeout', async () => {
    const tracker = new PushHandlingTracker();
    void tracker.track(sleep(50), 10_000);
    const startedAt = Date.now();
    await tracker.drain(5_000);
    expect(tracker.size).toBe(0);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(45);
    void tracker.track(new Promise(() => undefined), 10_000);
    const cut = Date.now();
    await tracker.drain(120);
    expect(Date.now() - cut).toBeLessThan(1_000);
    expect(tracker.size).toBe(1);
  });
});
