import { Inject, Injectable } from '@nestjs/common';
import { WechatStoreKeyTypeError } from '../errors/wechat-store.error';
import { countDedupFallback } from '../telemetry/push.telemetry';
import { WECHAT_PUSH_DEDUP_FALLBACK_STORE, WECHAT_PUSH_DEDUP_STORE } from '../wechat.constants';
import { PushAnswerWriteBack } from './push-answer.write-back';
import type {
  CachedPushResponse,
  PushClaim,
  PushDedupState,
  PushDedupStore,
} from './push-dedup-store.interface';
import { PushDedupStoreHealth } from './push-dedup-store.health';
import type { MemoryPushDedupStore } from './memory-push-dedup.store';

/** The de-dup store serves every account: its metrics carry the `default` account. */
const STORE_TELEMETRY = { appId: '' };

/**
 * The shared store with this process's memory behind it:
 * - this process's memory is consulted before the shared store, so an answer it recorded during
 *   an outage is given to WeChat's retries after the shared store is back (issue: a retry must not
 *   be handled a second time because the shared claim expired meanwhile);
 * - an operation the shared store fails (down, not ready within `storeWaitMs`, or out of budget)
 *   is done in memory; an answer recorded so is written to the shared store when it is back
 *   ({@link PushAnswerWriteBack});
 * - outages and configuration errors are logged once ({@link PushDedupStoreHealth}).
 */
@Injectable()
export class ResilientPushDedupStore implements PushDedupStore {
  /** Keys this process claimed in memory, whose completion or release must reach memory too. */
  private readonly claimedInMemory = new Set<string>();

  constructor(
    @Inject(WECHAT_PUSH_DEDUP_STORE) private readonly shared: PushDedupStore,
    @Inject(WECHAT_PUSH_DEDUP_FALLBACK_STORE) private readonly memory: MemoryPushDedupStore,
    private readonly health: PushDedupStoreHealth,
    private readonly writeBack: PushAnswerWriteBack,
  ) {}

  async claim(
    key: string,
    owner: string,
    pendingTtlMs: number,
    deadline?: number,
  ): Promise<PushClaim> {
    const local = this.memory.peekNow(key);
    if (local.state !== 'absent') return local;
    try {
      const claim = await this.shared.claim(key, owner, pendingTtlMs, deadline);
      this.recovered();
      return claim;
    } catch (error: unknown) {
      this.health.failed(error);
      countDedupFallback(STORE_TELEMETRY, 'claim');
      const claim = await this.memory.claim(key, owner, pendingTtlMs);
      if (claim.state === 'claimed') this.claimedInMemory.add(key);
      return claim;
    }
  }

  async peek(key: string, deadline?: number): Promise<PushDedupState> {
    const local = this.memory.peekNow(key);
    if (local.state !== 'absent') return local;
    try {
      const state = await this.shared.peek(key, deadline);
      this.recovered();
      return state;
    } catch (error: unknown) {
      this.health.failed(error);
      countDedupFallback(STORE_TELEMETRY, 'peek');
      return local;
    }
  }

  async complete(
    key: string,
    owner: string,
    response: CachedPushResponse,
    ttlMs: number,
    deadline?: number,
  ): Promise<void> {
    if (this.claimedInMemory.delete(key)) {
      await this.memory.complete(key, owner, response, ttlMs);
    }
    try {
      await this.shared.complete(key, owner, response, ttlMs, deadline);
      this.writeBack.forget(key);
      this.recovered();
    } catch (error: unknown) {
      this.health.failed(error);
      countDedupFallback(STORE_TELEMETRY, 'complete');
      await this.memory.complete(key, owner, response, ttlMs);
      // A key of another type will not take the answer later either.
      if (!(error instanceof WechatStoreKeyTypeError)) {
        this.writeBack.remember(key, owner, response, ttlMs);
      }
    }
  }

  async release(key: string, owner: string, deadline?: number): Promise<void> {
    if (this.claimedInMemory.delete(key)) await this.memory.release(key, owner);
    try {
      await this.shared.release(key, owner, deadline);
      this.recovered();
    } catch (error: unknown) {
      // The shared claim expires by itself, in time for WeChat's next retry.
      this.health.failed(error);
    }
  }

  /** The shared store answered: end an outage and write back what it missed. */
  private recovered(): void {
    if (this.health.succeeded()) void this.writeBack.flush(true);
    else if (this.writeBack.size > 0) void this.writeBack.flush();
  }
}
