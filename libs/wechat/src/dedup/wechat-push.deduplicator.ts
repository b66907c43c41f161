import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { WECHAT_OPTIONS, WECHAT_PUSH_DEDUP_STORE } from '../wechat.constants';
import { MemoryPushDedupStore } from './memory-push-dedup.store';
import type {
  CachedPushResponse,
  PushClaim,
  PushDedupState,
  PushDedupStore,
} from './push-dedup-store.interface';

/** What one handling of a push produced. */
export interface PushOutcome<TReply> {
  /** The answer for WeChat (rendered, encrypted if the push was). */
  readonly response: CachedPushResponse;
  /** The reply itself, for delivery as a customer-service message if it comes too late. */
  readonly reply?: TReply;
  /** A handler failed: do not remember the push, so a retry runs it again. */
  readonly failed: boolean;
}

/** The plain answer that stops WeChat's retries. */
export const SUCCESS_ANSWER: CachedPushResponse = {
  body: 'success',
  contentType: 'text/plain; charset=utf-8',
};

const TIMEOUT = Symbol('timeout');
/** How often a delivery waiting on another instance's handling looks again. */
const WAIT_POLL_MS = 25;
/** A claim outlives the reply budget by this much, so the owner can still record its answer. */
const CLAIM_MARGIN_MS = 250;
/** On shutdown, wait at most this long for handlings in flight. */
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * Makes WeChat's retries harmless: one push (by its dedup key) is handled once across the fleet,
 * every delivery of it gets the same answer, and no delivery waits past `replyTimeoutMs`.
 *
 * - The first delivery claims the key (Redis `SET NX PX`, or memory) and runs the handling.
 * - A delivery of a push being handled here or elsewhere waits for that answer, within its budget.
 * - A delivery of a push already answered gets the cached answer.
 * - A handling that fails frees the key; one that dies frees it when its claim expires, before
 *   WeChat's next retry.
 * - A handling still running at the deadline is answered `success` (and remembered so); its reply
 *   goes to `onLate` when it comes.
 * - Redis unreachable: de-duplication continues in this process's memory, logged once.
 */
@Injectable()
export class WechatPushDeduplicator implements BeforeApplicationShutdown {
  private readonly logger = new Logger('WechatModule');
  private readonly owner = randomUUID();
  private readonly local = new Map<string, Promise<CachedPushResponse>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly fallback = new MemoryPushDedupStore();
  private storeDown = false;

  constructor(
    @Inject(WECHAT_PUSH_DEDUP_STORE) private readonly store: PushDedupStore,
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
  ) {}

  /**
   * Answers one delivery of the push identified by `key`: runs `work` if this delivery is the
   * first, else waits for (or reads) the first one's answer. The budget (`replyTimeoutMs`) counts
   * from `receivedAt` (`Date.now()` when the request arrived); a delivery whose budget is already
   * spent still claims the push once, so its handlers run and a reply goes out late.
   */
  async run<TReply>(
    key: string,
    work: () => Promise<PushOutcome<TReply>>,
    onLate: (reply: TReply) => Promise<void>,
    receivedAt: number = Date.now(),
  ): Promise<CachedPushResponse> {
    const deadline = receivedAt + this.options.replyTimeoutMs;
    do {
      const local = this.local.get(key);
      if (local) return orSuccess(await this.within(local, deadline));
      const claim = await this.claim(key);
      if (claim.state === 'done') return claim.response;
      if (claim.state === 'claimed') return this.handle(key, work, onLate, deadline);
      const waited = await this.waitForOther(key, deadline);
      if (waited !== 'absent') return waited;
      // The other handling failed or died: compete for the key again.
    } while (Date.now() < deadline);
    return SUCCESS_ANSWER;
  }

  /** Waits (bounded) for handlings in flight, so a SIGTERM does not cut them off. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.inflight.size === 0) return;
    this.logger.log(`Waiting for ${this.inflight.size} WeChat push handling(s) before shutdown`);
    const all = Promise.allSettled([...this.inflight]);
    await this.within(all, Date.now() + SHUTDOWN_WAIT_MS);
  }

  private async handle<TReply>(
    key: string,
    work: () => Promise<PushOutcome<TReply>>,
    onLate: (reply: TReply) => Promise<void>,
    deadline: number,
  ): Promise<CachedPushResponse> {
    let settle!: (response: CachedPushResponse) => void;
    this.local.set(key, new Promise<CachedPushResponse>((resolve) => (settle = resolve)));
    // Answers at once; the shared record is written behind the answer (it only has to land before
    // WeChat's retry, seconds later). Until it has, deliveries here wait on the local promise.
    const finish = (response: CachedPushResponse, remember: boolean): void => {
      settle(response);
      const write = remember ? this.complete(key, response) : this.release(key);
      void this.track(write.finally(() => this.local.delete(key)));
    };

    const handling = this.track(work());
    let result: PushOutcome<TReply> | typeof TIMEOUT;
    try {
      result = await this.within(handling, deadline);
    } catch (error: unknown) {
      finish(SUCCESS_ANSWER, false);
      throw error;
    }
    if (result !== TIMEOUT) {
      finish(result.response, !result.failed);
      return result.response;
    }
    // Out of time: WeChat gets `success` now (and so do its retries); the handling goes on.
    finish(SUCCESS_ANSWER, true);
    this.logger.warn(
      `A WeChat push took longer than replyTimeoutMs (${this.options.replyTimeoutMs} ms); answered success`,
    );
    void this.track(
      handling.then(
        (outcome) => (outcome.reply === undefined ? undefined : onLate(outcome.reply)),
        () => undefined,
      ),
    );
    return SUCCESS_ANSWER;
  }

  private async waitForOther(
    key: string,
    deadline: number,
  ): Promise<CachedPushResponse | 'absent'> {
    while (Date.now() < deadline) {
      await sleep(Math.min(WAIT_POLL_MS, Math.max(deadline - Date.now(), 0)));
      const state = await this.peek(key);
      if (state.state === 'done') return state.response;
      if (state.state === 'absent') return 'absent';
    }
    return SUCCESS_ANSWER;
  }

  /** Resolves to `promise`'s value, or to TIMEOUT at `deadline`. */
  private within<T>(promise: Promise<T>, deadline: number): Promise<T | typeof TIMEOUT> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(resolve, Math.max(deadline - Date.now(), 0), TIMEOUT);
      timer.unref();
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }

  /** Counts `promise` as in flight until it settles (see beforeApplicationShutdown). */
  private track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    promise.then(
      () => this.inflight.delete(promise),
      () => this.inflight.delete(promise),
    );
    return promise;
  }

  // --- the store, with the in-memory fallback while Redis is unreachable ------------------------

  private claim(key: string): Promise<PushClaim> {
    const ttl = this.options.replyTimeoutMs + CLAIM_MARGIN_MS;
    return this.use((store) => store.claim(key, this.owner, ttl));
  }

  private peek(key: string): Promise<PushDedupState> {
    return this.use((store) => store.peek(key));
  }

  private complete(key: string, response: CachedPushResponse): Promise<void> {
    const ttl = this.options.dedupTtlSeconds * 1000;
    return this.use((store) => store.complete(key, this.owner, response, ttl));
  }

  private release(key: string): Promise<void> {
    return this.use((store) => store.release(key, this.owner));
  }

  private async use<T>(operation: (store: PushDedupStore) => Promise<T>): Promise<T> {
    try {
      const result = await operation(this.store);
      if (this.storeDown) {
        this.storeDown = false;
        this.logger.log('The shared push de-duplication store is reachable again.');
      }
      return result;
    } catch (error: unknown) {
      if (!this.storeDown) {
        this.storeDown = true;
        this.logger.warn(
          `The shared push de-duplication store is unavailable (${error instanceof Error ? error.message : 'unknown error'}); de-duplicating in this process until it is back.`,
        );
      }
      return operation(this.fallback);
    }
  }
}

function orSuccess(answer: CachedPushResponse | typeof TIMEOUT): CachedPushResponse {
  return answer === TIMEOUT ? SUCCESS_ANSWER : answer;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
