// Pre-generated, distinct, signed WeChat pushes, so the load generator only picks the next one
// (no signing or AES on the client while it measures) and no two requests share a MsgId (a retry
// de-dup would otherwise answer them from its cache).
import { WechatPushSimulator, type WechatPushMode } from '../libs/wechat/src/testing';
import { BENCH_ECHO_TEXT } from './constants';

/** The kinds of request the callback benchmark sends. */
export type PushKind = 'text' | 'event';

/** One ready-to-send request. */
export interface PreparedPush {
  readonly path: string;
  readonly body: string;
  readonly headers: { 'content-type': string };
}

let sequence = 0n;
/** A MsgId unique within the whole bench run (WeChat's are 64-bit decimal numbers). */
function nextMsgId(): string {
  sequence += 1n;
  return (7_000_000_000_000_000_000n + sequence).toString();
}

let eventSequence = 0;

/**
 * A queue of signed pushes for one route and mode. {@link next} never repeats a push: when the
 * pre-generated ones run out it signs a fresh one on the spot (counted in {@link generatedLive}).
 */
export class PushPool {
  private readonly headers: { 'content-type': string };
  private items: PreparedPush[] = [];
  private index = 0;
  /** Pushes signed while a run was measuring (the pool was too small). */
  generatedLive = 0;

  constructor(
    private readonly sim: WechatPushSimulator,
    private readonly route: string,
    private readonly kind: PushKind,
    private readonly mode: WechatPushMode,
    contentType = 'text/xml',
  ) {
    this.headers = { 'content-type': contentType };
  }

  /** Makes sure at least `count` unused pushes are ready. */
  fill(count: number): void {
    this.items = this.items.slice(this.index);
    this.index = 0;
    while (this.items.length < count) this.items.push(this.make());
  }

  /** Drops every pre-generated push (frees the client's memory between runs). */
  clear(): void {
    this.items = [];
    this.index = 0;
  }

  next(): PreparedPush {
    if (this.index < this.items.length) return this.items[this.index++];
    this.generatedLive += 1;
    return this.make();
  }

  /** A fresh push (also used for the one-off correctness check of each row). */
  make(): PreparedPush {
    const push = this.sim.sign(this.fields(), this.mode);
    return { path: `${this.route}?${push.search}`, body: push.body, headers: this.headers };
  }

  private fields(): Record<string, string | number> {
    if (this.kind === 'text') {
      return this.sim.text(BENCH_ECHO_TEXT, {
        MsgId: nextMsgId(),
      });
    }
    // Events carry no MsgId (WeChat de-duplicates them by FromUserName + CreateTime): vary both.
    eventSequence += 1;
    return this.sim.event('CLICK', {
      FromUserName: `o_bench_${eventSequence.toString(36).padStart(8, '0')}`,
      CreateTime: 1_700_000_000 + eventSequence,
      EventKey: 'MENU_BENCH',
    });
  }
}
