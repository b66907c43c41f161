import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { MemoryPushDedupStore } from './memory-push-dedup.store';
import { PushAnswerWriteBack } from './push-answer.write-back';
import { PushDedupStoreHealth } from './push-dedup-store.health';
import { PushHandlingTracker } from './push-handling.tracker';
import { ResilientPushDedupStore } from './resilient-push-dedup.store';
import {
  CUSTOMER_SERVICE_WINDOW_MS,
  SUCCESS_ANSWER,
  WechatPushDeduplicator,
  type PushOutcome,
} from './wechat-push.deduplicator';

const REPLY_TIMEOUT_MS = 100;
const ANSWER = { body: '<xml>r</xml>', contentType: 'application/xml; charset=utf-8' };

/** The deduplicator as the module wires it, on this process's memory (no Redis). */
function build(): { dedup: WechatPushDeduplicator; tracker: PushHandlingTracker } {
  const memory = new MemoryPushDedupStore();
  const health = new PushDedupStoreHealth();
  const store = new ResilientPushDedupStore(
    memory,
    memory,
    health,
    new PushAnswerWriteBack(memory, health),
  );
  const tracker = new PushHandlingTracker();
  const options = {
    replyTimeoutMs: REPLY_TIMEOUT_MS,
    dedupTtlSeconds: 60,
  } as ResolvedWechatOptions;
  return { dedup: new WechatPushDeduplicator(store, tracker, options), tracker };
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WechatPushDeduplicator: handlings that are late or never settle', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('a handler that never settles is answered success and dropped when its claim expires', async () => {
    const { dedup, tracker } = build();
    const answer = dedup.run(
      'k',
      () => new Promise<PushOutcome<string>>(() => undefined),
      () => Promise.resolve(),
    );
    await jest.advanceTimersByTimeAsync(REPLY_TIMEOUT_MS);
    expect(await answer).toEqual(SUCCESS_ANSWER);
    expect(tracker.size).toBeGreaterThan(0);
    // The claim lives replyTimeoutMs + 250 ms from the push's arrival.
    await jest.advanceTimersByTimeAsync(250);
    expect(tracker.size).toBe(0);
    await expect(dedup.beforeApplicationShutdown()).resolves.toBeUndefined();
    // Its retry gets the remembered `success`; the handler does not run again.
    let runs = 0;
    const retry = dedup.run(
      'k',
      () => {
        runs++;
        return Promise.resolve({ response: ANSWER, failed: false });
      },
      () => Promise.resolve(),
    );
    expect(await retry).toEqual(SUCCESS_ANSWER);
    expect(runs).toBe(0);
  });

  it.each([
    ['within the 48 h customer-service window: sent', 60 * 60 * 1000, ['late']],
    ['after the window: dropped, not sent', CUSTOMER_SERVICE_WINDOW_MS + 60_000, []],
  ])('a late reply %s', async (_name, after, expected) => {
    const { dedup } = build();
    const handling = deferred<PushOutcome<string>>();
    const sent: string[] = [];
    const answer = dedup.run(
      'k',
      () => handling.promise,
      (reply) => {
        sent.push(reply);
        return Promise.resolve();
      },
    );
    await jest.advanceTimersByTimeAsync(REPLY_TIMEOUT_MS);
    expect(await answer).toEqual(SUCCESS_ANSWER);
    await jest.advanceTimersByTimeAsync(after);
    handling.resolve({ response: ANSWER, reply: 'late', failed: false });
    await jest.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(expected);
  });

  it('deliveries of one push in this process share one handling and one answer', async () => {
    jest.useRealTimers();
    const { dedup } = build();
    const handling = deferred<PushOutcome<string>>();
    let runs = 0;
    const work = (): Promise<PushOutcome<string>> => {
      runs++;
      return handling.promise;
    };
    const answers = [
      dedup.run('k', work, () => Promise.resolve()),
      dedup.run('k', work, () => Promise.resolve()),
    ];
    handling.resolve({ response: ANSWER, failed: false });
    expect(await Promise.all(answers)).toEqual([ANSWER, ANSWER]);
    expect(runs).toBe(1);
  });
});
