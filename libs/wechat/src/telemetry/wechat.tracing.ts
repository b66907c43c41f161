import type {
  Context,
  ProxyTracerProvider,
  Span,
  Tracer,
  TracerProvider,
} from '@opentelemetry/api';
import {
  TELEMETRY_SCOPE,
  openTelemetryApi,
  type OpenTelemetryApi,
} from './opentelemetry-api.loader';
import {
  WECHAT_ATTRIBUTES,
  errorTypeOf,
  type WechatAttributes,
} from './wechat-telemetry.attributes';

/** The module's span names. */
export const WECHAT_SPANS = {
  /** One push, from reading its body to writing its answer (joins an incoming `traceparent`). */
  push: 'wechat.push',
  /** Verifying `msg_signature` and decrypting a safe-mode push. */
  decrypt: 'wechat.push.decrypt',
  /** Running the handlers of a push. */
  dispatch: 'wechat.push.dispatch',
  /** One handler method. */
  handler: 'wechat.handler',
  /** Encrypting and signing the reply to a safe-mode push. */
  encrypt: 'wechat.push.encrypt',
  /** One call to WeChat's API, retries included. */
  api: 'wechat.api',
  /** One fetch of a credential (access_token …) from WeChat. */
  credentialFetch: 'wechat.credential.fetch',
} as const;

/** How a span relates to the outside: serving a request, calling out, or neither. */
export type WechatSpanKind = 'server' | 'client' | 'internal';

/** A started span, as the module's code sees it. */
export interface WechatSpan {
  /** Adds attributes (built by the attribute helpers only). */
  setAttributes(attributes: WechatAttributes): void;
  /** Marks the span failed with the error's class name (never its message). */
  fail(error: unknown): void;
  /** Ends the span. */
  end(): void;
  /** Runs `fn` with this span active, so spans started inside are its children. */
  activate<T>(fn: () => T): T;
}

/** Headers of an incoming request, where a `traceparent` may be. */
export type IncomingHeaders = Readonly<Record<string, string | string[] | undefined>>;

const NO_SPAN: WechatSpan = {
  setAttributes: () => undefined,
  fail: () => undefined,
  end: () => undefined,
  activate: (fn) => fn(),
};

const tracers = new WeakMap<TracerProvider, Tracer>();

/** The API's own no-op tracer provider, what its global proxy delegates to until an SDK is set. */
let noopTracerProvider: TracerProvider | undefined;

/**
 * Whether spans are recorded at all: `@opentelemetry/api` is installed and a tracer provider (an
 * SDK) is registered. Without one every span of the API is a no-op, so the module skips them (and
 * the attributes they would carry) altogether. Checked on every use: the host may install its SDK
 * after the module has started.
 */
export function tracingActive(): boolean {
  const otel = openTelemetryApi();
  return otel !== undefined && recordsSpans(otel);
}

function recordsSpans(otel: OpenTelemetryApi): boolean {
  noopTracerProvider ??= new otel.ProxyTracerProvider().getDelegate();
  const provider = otel.trace.getTracerProvider() as Partial<ProxyTracerProvider>;
  return (
    typeof provider.getDelegate !== 'function' || provider.getDelegate() !== noopTracerProvider
  );
}

function tracerOf(otel: OpenTelemetryApi): Tracer {
  const provider = otel.trace.getTracerProvider();
  let tracer = tracers.get(provider);
  if (tracer === undefined) {
    tracer = provider.getTracer(TELEMETRY_SCOPE);
    tracers.set(provider, tracer);
  }
  return tracer;
}

/**
 * Starts a span, child of the active one. With `headers` and no active span (no HTTP
 * instrumentation in the host), the parent is the remote span of the request's `traceparent`, read
 * by the globally registered propagator (W3C trace context in the OpenTelemetry SDKs).
 */
export function startWechatSpan(
  name: string,
  attributes: WechatAttributes,
  kind: WechatSpanKind = 'internal',
  headers?: IncomingHeaders,
): WechatSpan {
  const otel = openTelemetryApi();
  if (otel === undefined || !recordsSpans(otel)) return NO_SPAN;
  let parent: Context = otel.context.active();
  if (headers !== undefined && otel.trace.getSpan(parent) === undefined) {
    parent = otel.propagation.extract(parent, headers);
  }
  const span = tracerOf(otel).startSpan(name, { kind: spanKind(otel, kind), attributes }, parent);
  return new ActiveWechatSpan(otel, span, parent);
}

/**
 * Runs `fn` inside a span that ends when it returns or, for a promise, settles; a throw or a
 * rejection marks the span failed and goes on to the caller unchanged.
 */
export function traceWechat<T>(
  name: string,
  attributes: WechatAttributes,
  fn: () => T,
  kind: WechatSpanKind = 'internal',
): T {
  const otel = openTelemetryApi();
  if (otel === undefined || !recordsSpans(otel)) return fn();
  const span = startWechatSpan(name, attributes, kind);
  let result: T;
  try {
    result = span.activate(fn);
  } catch (error: unknown) {
    span.fail(error);
    span.end();
    throw error;
  }
  if (result instanceof Promise) {
    result.then(
      () => span.end(),
      (error: unknown) => {
        span.fail(error);
        span.end();
      },
    );
  } else {
    span.end();
  }
  return result;
}

class ActiveWechatSpan implements WechatSpan {
  constructor(
    private readonly otel: OpenTelemetryApi,
    private readonly span: Span,
    private readonly parent: Context,
  ) {}

  setAttributes(attributes: WechatAttributes): void {
    this.span.setAttributes(attributes);
  }

  fail(error: unknown): void {
    this.span.setAttribute(WECHAT_ATTRIBUTES.errorType, errorTypeOf(error));
    this.span.setStatus({ code: this.otel.SpanStatusCode.ERROR });
  }

  end(): void {
    this.span.end();
  }

  activate<T>(fn: () => T): T {
    return this.otel.context.with(this.otel.trace.setSpan(this.parent, this.span), fn);
  }
}

function spanKind(otel: OpenTelemetryApi, kind: WechatSpanKind): number {
  if (kind === 'server') return otel.SpanKind.SERVER;
  if (kind === 'client') return otel.SpanKind.CLIENT;
  return otel.SpanKind.INTERNAL;
}
