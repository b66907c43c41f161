import type { WechatMessage } from '../core/wechat-message.interfaces';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { countWechat, metricsActive, recordWechatDuration, secondsSince } from './wechat.metrics';
import {
  WECHAT_ATTRIBUTES,
  accountAttributes,
  errorTypeOf,
  handlerAttribute,
  pushKindAttributes,
  refusalReasonOf,
  telemetryAccount,
  type DedupOperation,
  type DedupSource,
  type PushOutcomeAttribute,
  type WechatAttributes,
} from './wechat-telemetry.attributes';
import {
  WECHAT_SPANS,
  startWechatSpan,
  traceWechat,
  tracingActive,
  type IncomingHeaders,
  type WechatSpan,
} from './wechat.tracing';

/** What the telemetry reads of an incoming callback request. */
export interface ObservedRequest {
  readonly method?: unknown;
  readonly headers?: unknown;
}

/**
 * One push as the metrics and traces see it: its `wechat.push` span (active while the push is
 * handled, so decryption, dispatch, handlers and encryption are its children), and at its end one
 * `wechat.push.received` count and one `wechat.push.duration` sample with its outcome.
 */
export class PushTelemetry {
  private readonly startedAt = performance.now();
  private account: string;
  private kind: WechatAttributes | undefined;
  private ran = false;
  private settled = false;

  private constructor(
    options: Pick<ResolvedWechatOptions, 'appId'>,
    private readonly span: WechatSpan,
  ) {
    this.account = telemetryAccount(options);
  }

  /**
   * Starts observing a push (joining the request's `traceparent`); `undefined` when nothing would
   * record it (no `@opentelemetry/api`, or no SDK for either traces or metrics): the push is then
   * handled with no telemetry work at all.
   */
  static start(
    options: Pick<ResolvedWechatOptions, 'appId'>,
    request: ObservedRequest,
  ): PushTelemetry | undefined {
    if (!observing()) return undefined;
    const span = startWechatSpan(
      WECHAT_SPANS.push,
      accountAttributes(telemetryAccount(options)),
      'server',
      headersOf(request),
    );
    return new PushTelemetry(options, span);
  }

  /**
   * Runs the handling of the push inside its span and records its outcome: `refused` (with the
   * reason) for a 4xx, `error` for anything else thrown, else what {@link handling} saw.
   */
  async observe(fn: () => Promise<void>): Promise<void> {
    let outcome: PushOutcomeAttribute = 'error';
    let extra: WechatAttributes | undefined;
    try {
      await this.span.activate(fn);
      outcome = !this.ran ? 'duplicate' : this.settled ? 'handled' : 'late_reply';
    } catch (error: unknown) {
      const reason = refusalReasonOf(error);
      outcome = reason === undefined ? 'error' : 'refused';
      extra =
        reason === undefined
          ? { [WECHAT_ATTRIBUTES.errorType]: errorTypeOf(error) }
          : { [WECHAT_ATTRIBUTES.refusalReason]: reason };
      this.span.fail(error);
      throw error;
    } finally {
      this.finish(outcome, extra);
    }
  }

  /** The push was decoded (for `account`): its type and event become attributes. */
  decoded(message: WechatMessage, encrypted: boolean, account?: string): void {
    if (account !== undefined) this.account = telemetryAccount({ name: account });
    this.kind = { ...pushKindAttributes(message), [WECHAT_ATTRIBUTES.encrypted]: encrypted };
  }

  /**
   * Wraps the handling the de-dup runs for the first delivery only: a push whose handling never
   * ran was a `duplicate`; one still running when the answer went out is a `late_reply`.
   */
  handling<T>(work: () => Promise<T>): () => Promise<T> {
    return () => {
      this.ran = true;
      const running = work();
      const settle = (): void => {
        this.settled = true;
      };
      running.then(settle, settle);
      return running;
    };
  }

  private finish(outcome: PushOutcomeAttribute, extra?: WechatAttributes): void {
    const attributes: WechatAttributes = {
      [WECHAT_ATTRIBUTES.account]: this.account,
      ...this.kind,
      [WECHAT_ATTRIBUTES.outcome]: outcome,
      ...extra,
    };
    this.span.setAttributes(attributes);
    this.span.end();
    countWechat('pushReceived', attributes);
    recordWechatDuration('pushDuration', secondsSince(this.startedAt), attributes);
  }
}

/**
 * A push the signature guard refused before it was read: counted as `refused` with its reason, in
 * a `wechat.push` span of its own. Other requests (URL verification GETs) are not pushes.
 */
export function observeGuardedPush<T>(
  options: Pick<ResolvedWechatOptions, 'appId'>,
  request: ObservedRequest,
  check: () => T | Promise<T>,
): T | Promise<T> {
  const refused = (error: unknown): never => {
    const reason = refusalReasonOf(error);
    if (reason !== undefined && String(request.method).toUpperCase() === 'POST') {
      const account = telemetryAccount(options);
      const attributes: WechatAttributes = {
        [WECHAT_ATTRIBUTES.account]: account,
        [WECHAT_ATTRIBUTES.outcome]: 'refused',
        [WECHAT_ATTRIBUTES.refusalReason]: reason,
      };
      const span = startWechatSpan(WECHAT_SPANS.push, attributes, 'server', headersOf(request));
      span.fail(error);
      span.end();
      countWechat('pushReceived', attributes);
    }
    throw error;
  };
  let verdict: T | Promise<T>;
  try {
    verdict = check();
  } catch (error: unknown) {
    return refused(error);
  }
  return verdict instanceof Promise ? verdict.catch(refused) : verdict;
}

/** Runs one handler method in a `wechat.handler` span and records its duration. */
export function observeHandler<T>(
  options: Pick<ResolvedWechatOptions, 'appId'>,
  message: WechatMessage,
  handlerName: string,
  run: () => Promise<T>,
): Promise<T> {
  if (!observing()) return run();
  const startedAt = performance.now();
  const attributes: WechatAttributes = {
    [WECHAT_ATTRIBUTES.account]: telemetryAccount(options),
    ...pushKindAttributes(message),
    ...handlerAttribute(handlerName),
  };
  const running = traceWechat(WECHAT_SPANS.handler, attributes, run);
  running.then(
    () => recordWechatDuration('handlerDuration', secondsSince(startedAt), attributes),
    (error: unknown) =>
      recordWechatDuration('handlerDuration', secondsSince(startedAt), {
        ...attributes,
        [WECHAT_ATTRIBUTES.errorType]: errorTypeOf(error),
      }),
  );
  return running;
}

/** Runs the handlers of a push in a `wechat.push.dispatch` span. */
export function observeDispatch<T>(
  options: Pick<ResolvedWechatOptions, 'appId'>,
  message: WechatMessage,
  run: () => Promise<T>,
): Promise<T> {
  if (!tracingActive()) return run();
  const attributes = {
    [WECHAT_ATTRIBUTES.account]: telemetryAccount(options),
    ...pushKindAttributes(message),
  };
  return traceWechat(WECHAT_SPANS.dispatch, attributes, run);
}

/** Runs a safe-mode decryption (`wechat.push.decrypt`) or encryption (`wechat.push.encrypt`). */
export function traceCrypto<T>(direction: 'decrypt' | 'encrypt', run: () => T): T {
  if (!tracingActive()) return run();
  return traceWechat(WECHAT_SPANS[direction], {}, run);
}

/** A delivery the de-dup answered from an earlier delivery of the same push. */
export function countRetryAbsorbed(
  options: Pick<ResolvedWechatOptions, 'appId'>,
  source: DedupSource,
): void {
  countWechat('dedupRetriesAbsorbed', {
    [WECHAT_ATTRIBUTES.account]: telemetryAccount(options),
    [WECHAT_ATTRIBUTES.dedupSource]: source,
  });
}

/** A de-dup store operation done in memory because the shared store failed. */
export function countDedupFallback(
  options: Pick<ResolvedWechatOptions, 'appId'>,
  operation: DedupOperation,
): void {
  countWechat('dedupStoreFallbacks', {
    [WECHAT_ATTRIBUTES.account]: telemetryAccount(options),
    [WECHAT_ATTRIBUTES.dedupOperation]: operation,
  });
}

/** Whether anything records the module's spans or metrics (an SDK is installed). */
function observing(): boolean {
  return tracingActive() || metricsActive();
}

function headersOf(request: ObservedRequest): IncomingHeaders | undefined {
  const { headers } = request;
  return typeof headers === 'object' && headers !== null ? (headers as IncomingHeaders) : undefined;
}
