import { Singleflight } from './singleflight';

describe('Singleflight', () => {
  it('runs the work once for concurrent callers, and again after it settled', async () => {
    const flight = new Singleflight<number>();
    let runs = 0;
    let release: (value: number) => void = () => undefined;
    const work = () => {
      runs++;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const first = flight.run(work);
    const second = flight.run(work);
    expect(second).toBe(first);
    release(7);
    await expect(Promise.all([first, second])).resolves.toEqual([7, 7]);
    expect(runs).toBe(1);
    const third = flight.run(work);
    expect(third).not.toBe(first);
    release(8);
    await expect(third).resolves.toBe(8);
    expect(runs).toBe(2);
  });

  it('hands the same rejection to every concurrent caller, then runs anew', async () => {
    const flight = new Singleflight<string>();
    let runs = 0;
    const failing = () => {
      runs++;
      return Promise.reject(new RangeError(`failure ${runs}`));
    };
    const results = await Promise.allSettled([flight.run(failing), flight.run(failing)]);
    expect(results.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual([
      'failure 1',
      'failure 1',
    ]);
    await expect(flight.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
    expect(runs).toBe(1);
  });
});
