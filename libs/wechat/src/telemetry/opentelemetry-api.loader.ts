import type * as OpenTelemetryApiModule from '@opentelemetry/api';
import { loadOptionalPeer } from '../optional-peer.util';

/** The `@opentelemetry/api` package, as this library uses it. */
export type OpenTelemetryApi = typeof OpenTelemetryApiModule;

/** Not looked for yet / looked for and absent / loaded. */
let api: OpenTelemetryApi | null | undefined;

/**
 * `@opentelemetry/api` (an optional peer), or `undefined` when the host did not install it: then
 * every metric and span of the module is skipped. Looked for on the first push, API call or
 * refresh, never when the library is loaded.
 */
export function openTelemetryApi(): OpenTelemetryApi | undefined {
  if (api === undefined) {
    api = loadOptionalPeer<OpenTelemetryApi>('@opentelemetry/api') ?? null;
  }
  return api ?? undefined;
}

/** The instrumentation scope name of the module's meter and tracer. */
export const TELEMETRY_SCOPE = 'nestjs-wechat-oa';
