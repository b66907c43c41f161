import type { WechatApiError, WechatHttpError } from '../errors/wechat-api.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { openTelemetryApi } from './opentelemetry-api.loader';
import { countWechat, recordWechatDuration, secondsSince } from './wechat.metrics';
import {
  WECHAT_ATTRIBUTES,
  apiErrcodeOf,
  apiPathAttribute,
  apiRetryReasonOf,
  errorTypeOf,
  telemetryAccount,
  type WechatAttributes,
} from './wechat-telemetry.attributes';
import { WECHAT_SPANS, startWechatSpan, type WechatSpan } from './wechat.tracing';

/**
 * One call to WeChat's API (retries included): a `wechat.api` client span with the path, the
 * errcode and the retry count; one `wechat.api.calls` count and one `wechat.api.duration` sample
 * by path and errcode; one `wechat.api.retries` count per attempt sent again, by reason.
 */
export class ApiCallTelemetry {
  private readonly startedAt = performance.now();
  private readonly attributes: WechatAttributes;
  private retries = 0;

  private constructor(
    options: Pick<ResolvedWechatOptions, 'appId'>,
    path: string,
    private readonly span: WechatSpan,
  ) {
    this.attributes = {
      [WECHAT_ATTRIBUTES.account]: telemetryAccount(options),
      ...apiPathAttribute(path),
    };
  }

  /** Starts observing a call to `path` (the path only, never its query). */
  static start(options: Pick<ResolvedWechatOptions, 'appId'>, path: string): ApiCallTelemetry {
    const span =
      openTelemetryApi() === undefined
        ? startWechatSpan(WECHAT_SPANS.api, {})
        : startWechatSpan(WECHAT_SPANS.api, { ...apiPathAttribute(path) }, 'client');
    return new ApiCallTelemetry(options, path, span);
  }

  /** Runs the call with its span active and records how it ended. */
  async observe<T>(run: () => Promise<T>): Promise<T> {
    try {
      const result = await this.span.activate(run);
      this.finish({ [WECHAT_ATTRIBUTES.errcode]: 0 });
      return result;
    } catch (error: unknown) {
      const errcode = apiErrcodeOf(error);
      this.span.fail(error);
      this.finish(
        errcode === undefined
          ? { [WECHAT_ATTRIBUTES.errorType]: errorTypeOf(error) }
          : {
              [WECHAT_ATTRIBUTES.errcode]: errcode,
              [WECHAT_ATTRIBUTES.errorType]: errorTypeOf(error),
            },
      );
      throw error;
    }
  }

  /** An attempt failed with `error` and is sent again. */
  retrying(error: WechatApiError | WechatHttpError): void {
    this.retries += 1;
    countWechat('apiRetries', {
      ...this.attributes,
      [WECHAT_ATTRIBUTES.retryReason]: apiRetryReasonOf(error),
    });
  }

  private finish(end: WechatAttributes): void {
    const attributes = { ...this.attributes, ...end };
    this.span.setAttributes({ ...attributes, [WECHAT_ATTRIBUTES.retries]: this.retries });
    this.span.end();
    countWechat('apiCalls', attributes);
    recordWechatDuration('apiDuration', secondsSince(this.startedAt), attributes);
  }
}
