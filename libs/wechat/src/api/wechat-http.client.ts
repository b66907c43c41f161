import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import {
  WechatApiError,
  WechatHttpError,
  type WechatHttpFailureReason,
} from '../errors/wechat-api.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { ApiCallTelemetry } from '../telemetry/api-call.telemetry';
import { WECHAT_OPTIONS } from '../wechat.constants';
import { redactSecrets } from './redact-secrets.util';
import { WECHAT_BUSY_ERRCODE } from './wechat-api.constants';
import type {
  WechatApiRequest,
  WechatBaseResponse,
  WechatFileResponse,
} from './wechat-api.interfaces';
import { parseWechatJson } from './wechat-json.parser';

/** Query parameters whose values are credentials: kept out of every message and log line. */
const SECRET_QUERY_KEYS = ['access_token', 'secret'];

/** How an attempt reads a 2xx answer: as a JSON object only, or a file unless it is JSON. */
type ResponseMode = 'json' | 'file';

type AttemptResult<T> =
  | { ok: true; data: T }
  | { ok: false; retryable: boolean; error: WechatApiError | WechatHttpError };

/**
 * The one request pipeline to WeChat's HTTP API: base URL from the options, access_token and other
 * parameters in the query, JSON bodies as raw UTF-8 (`JSON.stringify` never produces `\uXXXX`
 * escapes for non-ASCII text, which WeChat would refuse with 40033), a timeout per attempt, and
 * bounded retries with exponential backoff (`retryBackoffMs`, doubled each time, at most
 * `maxRetries`) for `errcode -1`, network errors, timeouts and HTTP 5xx.
 *
 * A response is a success when its `errcode` is absent or 0; anything else becomes a
 * {@link WechatApiError}; a failure without an errcode becomes a {@link WechatHttpError}. No
 * message or log line contains the AppSecret, an access_token or the URL's query.
 *
 * Retries of a POST after a timeout or network error may repeat it at WeChat: pass `client_msg_id`
 * with template messages to make them idempotent.
 *
 * Usable with `new WechatHttpClient(options)` outside Nest. On `onModuleDestroy` pending backoff
 * timers are cleared and pending requests are aborted (`reason: 'ABORTED'`).
 */
@Injectable()
export class WechatHttpClient implements OnModuleDestroy {
  private readonly logger = new Logger(WechatHttpClient.name);
  private readonly baseUrl: string;
  private closed = false;
  /** Aborts of the pending requests and backoff waits, called by onModuleDestroy. */
  private readonly pending = new Set<() => void>();

  /** @param options the resolved module options (`apiBaseUrl`, `requestTimeoutMs`, retries). */
  constructor(@Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions) {
    this.baseUrl = options.apiBaseUrl.replace(/\/+$/, '');
  }

  /** Aborts pending requests and backoff waits; later requests fail at once with `ABORTED`. */
  onModuleDestroy(): void {
    this.closed = true;
    for (const abort of [...this.pending]) abort();
    this.pending.clear();
  }

  /**
   * Sends one request (with retries) and returns the parsed JSON object of a successful answer.
   *
   * @throws WechatApiError for a non-zero errcode (after retries for -1).
   * @throws WechatHttpError for a timeout, network error, HTTP error status or non-JSON body.
   */
  request<T extends WechatBaseResponse>(request: WechatApiRequest): Promise<T> {
    return this.observed<T>(request, 'json');
  }

  /**
   * Sends one request (with the same retries) whose answer may be a file: a 2xx answer whose
   * `Content-Type` is not JSON (nor text starting with `{`) is returned as `{ kind: 'file' }` with
   * its bytes, content type and the file name of its `Content-Disposition`; a JSON answer is
   * checked like {@link request} and returned as `{ kind: 'json' }`.
   *
   * @throws WechatApiError for a non-zero errcode (after retries for -1).
   * @throws WechatHttpError for a timeout, network error or HTTP error status.
   */
  requestFile<T extends WechatBaseResponse>(
    request: WechatApiRequest,
  ): Promise<WechatFileResponse<T>> {
    return this.observed<WechatFileResponse<T>>(request, 'file');
  }

  /** One call in its `wechat.api` span, counted by path and errcode. */
  private observed<T>(request: WechatApiRequest, mode: ResponseMode): Promise<T> {
    const call = ApiCallTelemetry.start(this.options, request.path);
    return call.observe(() => this.send<T>(request, mode, call));
  }

  private async send<T>(
    request: WechatApiRequest,
    mode: ResponseMode,
    call: ApiCallTelemetry,
  ): Promise<T> {
    const url = this.buildUrl(request);
    const secrets = this.secretsOf(request);
    const body: string | FormData | undefined =
      request.form ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
    const maxAttempts = this.options.maxRetries + 1;
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt<T>(request, url, body, attempt, secrets, mode);
      if (result.ok) return result.data;
      if (!result.retryable || attempt >= maxAttempts) throw result.error;
      call.retrying(result.error);
      const delay = this.options.retryBackoffMs * 2 ** (attempt - 1);
      this.logger.warn(
        `WeChat API ${request.path} attempt ${attempt}/${maxAttempts} failed (${describe(result.error)}); retrying in ${delay} ms`,
      );
      await this.sleep(delay, request.path, attempt);
    }
  }

  /** `GET path?query`. */
  get<T extends WechatBaseResponse>(
    path: string,
    query?: WechatApiRequest['query'],
    bigIntFields?: readonly string[],
  ): Promise<T> {
    return this.request<T>({ method: 'GET', path, query, bigIntFields });
  }

  /** `POST path?query` with a JSON body (raw UTF-8). */
  post<T extends WechatBaseResponse>(
    path: string,
    body: unknown,
    query?: WechatApiRequest['query'],
    bigIntFields?: readonly string[],
  ): Promise<T> {
    return this.request<T>({ method: 'POST', path, body, query, bigIntFields });
  }

  private buildUrl(request: WechatApiRequest): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) params.append(key, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${request.path}${search ? `?${search}` : ''}`;
  }

  private secretsOf(request: WechatApiRequest): string[] {
    const secrets = [this.options.appSecret];
    for (const key of SECRET_QUERY_KEYS) {
      const value = request.query?.[key];
      if (typeof value === 'string') secrets.push(value);
    }
    return secrets;
  }

  private async attempt<T>(
    request: WechatApiRequest,
    url: string,
    body: string | FormData | undefined,
    attempt: number,
    secrets: readonly string[],
    mode: ResponseMode,
  ): Promise<AttemptResult<T>> {
    const { path } = request;
    if (this.closed) {
      return failure(
        false,
        new WechatHttpError(path, 'ABORTED', attempt, 'the client was shut down'),
      );
    }
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.requestTimeoutMs);
    const onClose = (): void => controller.abort();
    this.pending.add(onClose);

    const transportFailure = (error: unknown): AttemptResult<T> => {
      const reason: WechatHttpFailureReason = timedOut
        ? 'TIMEOUT'
        : this.closed
          ? 'ABORTED'
          : 'NETWORK';
      const detail =
        reason === 'TIMEOUT'
          ? `no answer within ${this.options.requestTimeoutMs} ms`
          : redactSecrets(networkDetail(error), secrets);
      return failure(
        reason !== 'ABORTED',
        new WechatHttpError(path, reason, attempt, detail, undefined, { cause: error }),
      );
    };

    try {
      let response: Response;
      let text: string;
      let file: WechatFileResponse<never> | undefined;
      try {
        response = await fetch(url, {
          method: request.method,
          // A FormData body gets its multipart Content-Type (with the boundary) from fetch itself.
          headers:
            typeof body === 'string'
              ? { Accept: 'application/json', 'Content-Type': 'application/json; charset=utf-8' }
              : { Accept: mode === 'file' ? '*/*' : 'application/json' },
          body,
          signal: controller.signal,
        });
        const contentType = response.headers.get('content-type') ?? '';
        if (mode === 'file' && response.ok && !isJsonLike(contentType)) {
          const data = Buffer.from(await response.arrayBuffer());
          if (!startsLikeJson(data)) {
            file = { kind: 'file', data, contentType, fileName: fileNameOf(response) };
          }
          text = file ? '' : data.toString('utf8');
        } else {
          text = await response.text();
        }
      } catch (error: unknown) {
        return transportFailure(error);
      }
      if (file) return { ok: true, data: file as T };
      if (!response.ok) {
        return failure(
          response.status >= 500,
          new WechatHttpError(
            path,
            'BAD_RESPONSE',
            attempt,
            `HTTP ${response.status}`,
            response.status,
          ),
        );
      }
      let data: unknown;
      try {
        data = parseWechatJson(text, request.bigIntFields);
      } catch {
        data = undefined;
      }
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        return failure(
          false,
          new WechatHttpError(
            path,
            'BAD_RESPONSE',
            attempt,
            `the body is not a JSON object (${text.length} characters)`,
            response.status,
          ),
        );
      }
      const { errcode, errmsg } = data as WechatBaseResponse;
      const code = errcode === undefined || errcode === null ? 0 : Number(errcode);
      if (code === 0) {
        return { ok: true, data: (mode === 'file' ? { kind: 'json', data } : data) as T };
      }
      const message = redactSecrets(typeof errmsg === 'string' ? errmsg : '', secrets);
      return failure(
        code === WECHAT_BUSY_ERRCODE,
        new WechatApiError(path, Number.isNaN(code) ? -1 : code, message),
      );
    } finally {
      clearTimeout(timer);
      this.pending.delete(onClose);
    }
  }

  private sleep(ms: number, path: string, attempts: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const aborted = (): WechatHttpError =>
        new WechatHttpError(path, 'ABORTED', attempts, 'the client was shut down');
      if (this.closed) {
        reject(aborted());
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(aborted());
      };
      const timer = setTimeout(() => {
        this.pending.delete(onAbort);
        resolve();
      }, ms);
      this.pending.add(onAbort);
    });
  }
}

function failure<T>(retryable: boolean, error: WechatApiError | WechatHttpError): AttemptResult<T> {
  return { ok: false, retryable, error };
}

function isJsonLike(contentType: string): boolean {
  return /\bjson\b/i.test(contentType);
}

/** WeChat sometimes sends a JSON error as `text/plain`: a body starting with `{` is JSON. */
function startsLikeJson(data: Buffer): boolean {
  for (const byte of data.subarray(0, 64)) {
    if (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) continue;
    return byte === 0x7b;
  }
  return false;
}

/** The file name of `Content-Disposition: attachment; filename="x.jpg"` (or `filename*=`). */
function fileNameOf(response: Response): string | undefined {
  const header = response.headers.get('content-disposition');
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim().replace(/^"|"$/g, ''));
    } catch {
      // fall through to the plain parameter
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(header);
  return plain ? (plain[2] ?? plain[1]).trim() : undefined;
}

function describe(error: WechatApiError | WechatHttpError): string {
  return error instanceof WechatApiError
    ? `errcode ${error.errcode}`
    : `${error.reason}${error.status ? ` HTTP ${error.status}` : ''}`;
}

/**
 * A short description of a fetch failure: the system error code and message of its cause. Duck-typed
 * rather than `instanceof Error`, because undici's errors may come from another realm (jest, vm).
 */
function networkDetail(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  const code = (cause as { code?: unknown } | null)?.code;
  const causeMessage = (cause as { message?: unknown } | null)?.message;
  if (typeof causeMessage === 'string' && causeMessage !== '') {
    return typeof code === 'string' && !causeMessage.includes(code)
      ? `${code}: ${causeMessage}`
      : causeMessage;
  }
  if (typeof code === 'string') return code;
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
