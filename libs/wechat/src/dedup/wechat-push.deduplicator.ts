import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { budgetClock } from '../redis/redis-budget.runner';
import { countRetryAbsorbed } from '../telemetry/push.telemetry';
import type { DedupSource } from '../telemetry/wechat-telemetry.attributes';
import { WECHAT_OPTIONS } from '../wechat.constants';
import type { CachedPushResponse, PushClaim, PushDedupState } from './push-dedup-store.interface';
import { PushHandlingTracker } from './push-handling.tracker';
import { ResilientPushDedupStore } from './resilient-push-dedup.store';

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
 * WeChat accepts customer-service messages within 48 h of the user's last interaction: a late
 * reply that comes after that is dropped (and logged), not sent.
 */
export const CUSTOMER_SERVICE_WINDOW_MS = 48 * 60 * 60 * 1000;
/** How long the claim of a delivery that arrived with its budget spent may wait for the store. */
const SPENT_BUDGET_CLAIM_MS = 1_000;
/** How long a handled push's answer is written to the shared store for, at most, in ms. */
const WRITE_BUDGET_MS = 5_000;

/**
 * Makes WeChat's retries harmless: one push (by its dedup key) is handled once across the fleet,
 * every delivery of it gets the same answer, and no delivery waits past `replyTimeoutMs`.
 *
 * - Deliveries of one push in this process share one answer (the first one claims, the others wait
 *   for it).
 * - The first delivery claims the key (Redis `SET NX PX`, or memory) and runs the handling. The
 *   store part of the budget is half of `replyTimeoutMs`: a slow Redis is waited for that long, a
 *   reconnecting one `storeWaitMs` (see {@link ResilientPushDedupStore}).
 * - A delivery of a push being handled elsewhere waits for that answer, within its budget.
 * - A delivery of a push already answered gets the cached answer.
 * - A handling that fails frees the key; one that dies frees it when its claim expires, before
 *   WeChat's next retry.
 * - A handling still running at the deadline is answered `success` (and remembered so); its reply
 *   goes to `onLate` when it comes, unless that is after the customer-service window. A handling
 *   that never settles is no longer tracked once its claim has expired.
 */
@Injectable()
export class WechatPushDeduplicator implements BeforeApplicationShutdown {
  private readonly logger = new Logger('WechatModule');
  private readonly owner = randomUUID();
  /** The answer of each push being delivered or handled in this process. */
  private readonly local = new Map<string, Promise<CachedPushResponse>>();

  constructor(
    private readonly store: ResilientPushDedupStore,
    private readonly handlings: PushHandlingTracker,
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
    // The arrival on the monotonic clock (a wall-clock step during the push changes no bound).
    const started = budgetClock() - Math.max(Date.now() - receivedAt, 0);
    const deadline = started + this.options.replyTimeoutMs;
    const joined = this.local.get(key);
    if (joined) return this.absorbed('in_process', orSuccess(await this.within(joined, deadline)));

    let settle!: (response: CachedPushResponse) => void;
    this.local.set(key, new Promise<CachedPushResponse>((resolve) => (settle = resolve)));
    let handledHere = false;
    try {
      const storeDeadline = started + this.options.replyTimeoutMs / 2;
      do {
        const claim: PushClaim = await this.store.claim(
          key,
          this.owner,
          this.options.replyTimeoutMs + CLAIM_MARGIN_MS,
          this.claimDeadline(storeDeadline, deadline),
        );
        if (claim.state === 'done') {
          return settled(settle, this.absorbed('shared_store', claim.response));
        }
        if (claim.state === 'claimed') {
          handledHere = true;
          return await this.handle(key, work, onLate, { started, deadline, settle });
        }
        const waited = await this.waitForOther(key, deadline);
        if (waited !== 'absent') return settled(settle, this.absorbed('shared_store', waited));
        // The other handling failed or died: compete for the key again.
      } while (budgetClock() < deadline);
      return settled(settle, SUCCESS_ANSWER);
    } finally {
      if (!handledHere) {
        settle(SUCCESS_ANSWER);
        this.local.delete(key);
      }
    }
  }

  /**
   * How long a claim may wait for the store: the store's half of the budget (at least a poll, never
   * past the reply deadline); for a delivery whose budget was spent before it got here (a slow
   * upload), {@link SPENT_BUDGET_CLAIM_MS}, so it still claims in the shared store.
   */
  private claimDeadline(storeDeadline: number, deadline: number): number {
    const now = budgetClock();
    if (now >= deadline) return now + SPENT_BUDGET_CLAIM_MS;
    return Math.max(storeDeadline, Math.min(now + WAIT_POLL_MS, deadline));
  }

  /** A delivery answered from an earlier one of the same push (counted for the metrics). */
  private absorbed(source: DedupSource, answer: CachedPushResponse): CachedPushResponse {
    countRetryAbsorbed(this.options, source);
    return answer;
  }

  /** Waits (bounded) for handlings in flight, so a SIGTERM does not cut them off. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.handlings.size === 0) return;
    this.logger.log(`Waiting for ${this.handlings.size} WeChat push handling(s) before shutdown`);
    await this.handlings.drain(SHUTDOWN_WAIT_MS);
  }

  private async handle<TReply>(
    key: string,
    work: () => Promise<PushOutcome<TReply>>,
    onLate: (reply: TReply) => Promise<void>,
    push: {
      started: number;
      deadline: number;
      settle: (response: CachedPushResponse) => void;
    },
  ): Promise<CachedPushResponse> {
    // The claim expires this long after it was made; a handling is not tracked past it.
    const claimBound = this.options.replyTimeoutMs + CLAIM_MARGIN_MS;
    // Answers at once; the shared record is written behind the answer (it only has to land before
    // WeChat's retry, seconds later). Until it has, deliveries here wait on the local promise.
    const finish = (response: CachedPushResponse, remember: boolean): void => {
      push.settle(response);
      const until = budgetClock() + WRITE_BUDGET_MS;
      const write = remember
        ? this.store.complete(key, this.owner, response, this.options.dedupTtlSeconds * 1000, until)
        : this.store.release(key, this.owner, until);
      void this.handlings.track(
        write.finally(() => this.local.delete(key)),
        WRITE_BUDGET_MS,
      );
    };

    const handling = this.handlings.track(work(), claimBound);
    let result: PushOutcome<TReply> | typeof TIMEOUT;
    try {
      result = await this.within(handling, push.deadline);
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
    handling.then(
      (outcome) => {
        if (outcome.reply === undefined) return;
        if (budgetClock() - push.started > CUSTOMER_SERVICE_WINDOW_MS) {
          this.logger.warn(
            'A late WeChat reply came after the 48 h customer-service window; dropped, not sent',
          );
          return;
        }
        void this.handlings.track(onLate(outcome.reply), WRITE_BUDGET_MS * 6);
      },
      () => undefined,
    );
    return SUCCESS_ANSWER;
  }

  private async waitForOther(
    key: string,
    deadline: number,
  ): Promise<CachedPushResponse | 'absent'> {
    while (budgetClock() < deadline) {
      await sleep(Math.min(WAIT_POLL_MS, Math.max(deadline - budgetClock(), 0)));
      const state: PushDedupState = await this.store.peek(key, deadline);
      if (state.state === 'done') return state.response;
      if (state.state === 'absent') return 'absent';
    }
    return SUCCESS_ANSWER;
  }

  /** Resolves to `promise`'s value, or to TIMEOUT at `deadline`. */
  private within<T>(promise: Promise<T>, deadline: number): Promise<T | typeof TIMEOUT> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(resolve, Math.max(deadline - budgetClock(), 0), TIMEOUT);
      timer.unref();
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

function settled(
  settle: (response: CachedPushResponse) => void,
  response: CachedPushResponse,
): CachedPushResponse {
  settle(response);
  return response;
}

function orSuccess(answer: CachedPushResponse | typeof TIMEOUT): CachedPushResponse {
  return answer === TIMEOUT ? SUCCESS_ANSWER : answer;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
