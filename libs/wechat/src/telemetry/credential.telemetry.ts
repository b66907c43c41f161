import { WechatApiError, WechatHttpError } from '../errors/wechat-api.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import type { CredentialRefreshFailure } from './credential-health.interface';
import { openTelemetryApi } from './opentelemetry-api.loader';
import { countWechat, recordWechatDuration, secondsSince } from './wechat.metrics';
import {
  WECHAT_ATTRIBUTES,
  credentialKindAttribute,
  errorTypeOf,
  telemetryAccount,
  type CredentialOutcome,
  type WechatAttributes,
} from './wechat-telemetry.attributes';
import { WECHAT_SPANS, traceWechat } from './wechat.tracing';

/**
 * The metrics of one credential (kind) of one account — upstream fetches, lock waits,
 * compare-and-delete clears, store outages — and the last refresh failure, which the health
 * indicator reports. One per credential service; the refresher and the store health call it.
 */
export class CredentialTelemetry {
  /** The account name on every instrument. */
  readonly account: string;
  private readonly attributes: WechatAttributes;
  private failure: CredentialRefreshFailure | undefined;

  /**
   * @param options the resolved options (for the account name).
   * @param kind `access_token`, `jsapi_ticket` …
   */
  constructor(
    options: Pick<ResolvedWechatOptions, 'appId'>,
    readonly kind: string,
  ) {
    this.account = telemetryAccount(options);
    this.attributes = {
      [WECHAT_ATTRIBUTES.account]: this.account,
      ...credentialKindAttribute(kind),
    };
  }

  /** The last refresh that failed, unless a later one succeeded. */
  get lastRefreshError(): CredentialRefreshFailure | undefined {
    return this.failure;
  }

  /** Runs one refresh (shared copy, lock or fetch) and remembers whether it failed. */
  async refresh<T>(run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      this.failure = undefined;
      return result;
    } catch (error: unknown) {
      this.failure = describeFailure(error);
      throw error;
    }
  }

  /** Runs one upstream fetch in a `wechat.credential.fetch` span; counts it with its outcome. */
  fetch<T>(run: () => Promise<T>): Promise<T> {
    if (openTelemetryApi() === undefined) return run();
    const startedAt = performance.now();
    const done = (outcome: CredentialOutcome, error?: unknown): void => {
      const attributes: WechatAttributes = {
        ...this.attributes,
        [WECHAT_ATTRIBUTES.credentialOutcome]: outcome,
        ...(error instanceof WechatApiError ? { [WECHAT_ATTRIBUTES.errcode]: error.errcode } : {}),
        ...(error === undefined ? {} : { [WECHAT_ATTRIBUTES.errorType]: errorTypeOf(error) }),
      };
      countWechat('credentialRefreshes', attributes);
      recordWechatDuration('credentialUpstreamDuration', secondsSince(startedAt), attributes);
    };
    const running = traceWechat(WECHAT_SPANS.credentialFetch, this.attributes, run);
    running.then(
      () => done('success'),
      (error: unknown) => done(error instanceof WechatApiError ? 'refused' : 'error', error),
    );
    return running;
  }

  /** A refresh that waited for another holder of the fleet lock, `startedAt` on performance.now(). */
  lockWaited(startedAt: number | undefined): void {
    if (startedAt === undefined) return;
    recordWechatDuration('credentialLockWaitDuration', secondsSince(startedAt), this.attributes);
  }

  /** A rejected credential cleared from the shared store (compare-and-delete). */
  cleared(): void {
    countWechat('credentialClears', this.attributes);
  }

  /** The shared store became unreachable; the process works from its own copy. */
  storeDown(): void {
    countWechat('credentialStoreOutages', this.attributes);
  }
}

function describeFailure(error: unknown): CredentialRefreshFailure {
  const at = new Date().toISOString();
  const type = errorTypeOf(error);
  if (error instanceof WechatApiError) return { type, errcode: error.errcode, at };
  if (error instanceof WechatHttpError) return { type, reason: error.reason, at };
  return { type, at };
}
