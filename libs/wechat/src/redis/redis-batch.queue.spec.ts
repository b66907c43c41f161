import { BatchItemFailure, RedisBatchQueue } from './redis-batch.queue';

/** Runs batches by doubling each item, recording what each batch carried. */
function doubling(maxBatch?: number): {
  queue: RedisBatchQueue<number, number>;
  batches: number[][];
} {
  const batches: number[][] = [];
  const queue = new RedisBatchQueue<number, number>((items) => {
    batches.push([...items]);
    return Promise.resolve(items.map((item) => item * 2));
  }, maxBatch);
  return { queue, batches };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('RedisBatchQueue', () => {
  it('runs the calls of one turn as one batch, in call order, each getting its own result', async () => {
    const { queue, batches } = doubling();
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => queue.add(n)));
    expect(results).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('gathers calls made from microtasks of the same turn', async () => {
    const { queue, batches } = doubling();
    const late = Promise.resolve().then(() => queue.add(2));
    const results = await Promise.all([queue.add(1), late]);
    expect(results).toEqual([2, 4]);
    expect(batches).toEqual([[1, 2]]);
  });

  it('starts a new batch for calls made after one has left', async () => {
    const { queue, batches } = doubling();
    const first = queue.add(1);
    await nextTurn();
    const second = queue.add(2);
    expect(await Promise.all([first, second])).toEqual([2, 4]);
    expect(batches).toEqual([[1], [2]]);
  });

  it('sends a full batch at once and the rest in the next one', async () => {
    const { queue, batches } = doubling(3);
    const pending = [1, 2, 3, 4].map((n) => queue.add(n));
    expect(batches).toEqual([[1, 2, 3]]);
    expect(await Promise.all(pending)).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('rejects every call of a batch whose run rejects, and keeps working afterwards', async () => {
    let fail = true;
    const failure = new Error('redis down');
    const queue = new RedisBatchQueue<number, number>((items) =>
      fail ? Promise.reject(failure) : Promise.resolve(items.map((item) => item + 1)),
    );
    const results = await Promise.allSettled([queue.add(1), queue.add(2)]);
    expect(results).toEqual([
      { status: 'rejected', reason: failure },
      { status: 'rejected', reason: failure },
    ]);
    fail = false;
    expect(await queue.add(3)).toBe(4);
  });

  it('rejects every call when run throws synchronously', async () => {
    const failure = new TypeError('bad arguments');
    const queue = new RedisBatchQueue<number, number>(() => {
      throw failure;
    });
    await expect(queue.add(1)).rejects.toBe(failure);
  });

  it('rejects every call with a RangeError when run answers the wrong number of results', async () => {
    const queue = new RedisBatchQueue<number, number>(() => Promise.resolve([1]));
    const results = await Promise.allSettled([queue.add(1), queue.add(2)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(RangeError);
    expect((results[0] as PromiseRejectedResult).reason).toEqual(
      new RangeError('A batched Redis command answered 1 results for 2 calls'),
    );
  });

  it('rejects only the calls whose result is a BatchItemFailure', async () => {
    const bad = new Error('WRONGTYPE');
    const queue = new RedisBatchQueue<number, number>((items) =>
      Promise.resolve(items.map((item) => (item === 2 ? new BatchItemFailure(bad) : item * 10))),
    );
    const results = await Promise.allSettled([queue.add(1), queue.add(2), queue.add(3)]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: bad },
      { status: 'fulfilled', value: 30 },
    ]);
  });
});

describe('RedisBatchQueue: deferrable calls', () => {
  const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('ride along with the next batch that leaves, in call order', async () => {
    const { queue, batches } = doubling();
    const deferred = queue.add(1, true);
    await nextTurn();
    expect(batches).toEqual([]);
    const results = await Promise.all([deferred, queue.add(2), queue.add(3, true)]);
    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('leave on their own after deferMs when no other call comes', async () => {
    const batches: number[][] = [];
    const queue = new RedisBatchQueue<number, number>(
      (items) => {
        batches.push([...items]);
        return Promise.resolve(items.map((item) => item * 2));
      },
      256,
      40,
    );
    const startedAt = performance.now();
    const results = await Promise.all([queue.add(1, true), queue.add(2, true)]);
    expect(results).toEqual([2, 4]);
    expect(batches).toEqual([[1, 2]]);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(35);
  });

  it('do not delay a batch that leaves for another call, and leave no timer behind', async () => {
    const { queue, batches } = doubling();
    const deferred = queue.add(1, true);
    const eager = queue.add(2);
    expect(await Promise.all([deferred, eager])).toEqual([2, 4]);
    expect(batches).toEqual([[1, 2]]);
    await wait(30);
    expect(batches).toEqual([[1, 2]]);
  });

  it('go out at once with a full batch', async () => {
    const { queue, batches } = doubling(2);
    const pending = [queue.add(1, true), queue.add(2, true)];
    expect(batches).toEqual([[1, 2]]);
    expect(await Promise.all(pending)).toEqual([2, 4]);
  });
});
