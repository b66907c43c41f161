// Pieces every domain of the WeChat sandbox shares: the request it routes, the answers it gives,
// WeChat's errcode failures, and the checks WeChat applies to JSON bodies and openids.

/** A JSON object. */
export type Json = Record<string, unknown>;

/** A failure WeChat answers with `{ errcode, errmsg }` (the server appends a `rid`). */
export class SandboxApiError extends Error {
  /**
   * @param errcode WeChat's errcode.
   * @param errmsg WeChat's errmsg.
   */
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(errmsg);
  }
}

/** One request, as a domain sees it (already authenticated). */
export interface SandboxRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The body as bytes. */
  readonly bytes: Buffer;
  /** The body decoded as UTF-8. */
  readonly raw: string;
  /** The body parsed as JSON, if it is JSON. */
  readonly body: unknown;
  /** The request's Content-Type header ('' if none). */
  readonly contentType: string;
}

/** A file answer (media downloads). */
export interface SandboxFileAnswer {
  readonly file: Buffer;
  readonly contentType: string;
  readonly fileName: string;
}

/** What a domain answers: JSON text, a file, or undefined for a path it does not serve. */
export type SandboxAnswer = string | SandboxFileAnswer | undefined;

/** One API domain of the sandbox. */
export interface SandboxDomain {
  /** The paths it serves (all token-authenticated). */
  readonly paths: ReadonlySet<string>;
  /** Answers one request; throws SandboxApiError for WeChat's refusals. */
  route(request: SandboxRequest): SandboxAnswer | Promise<SandboxAnswer>;
  /** Forgets everything stored. */
  reset(): void;
}

/** What WeChat's openids look like in the sandbox: `o` + at least 5 of `[A-Za-z0-9_-]`. */
export const OPENID_PATTERN = /^o[A-Za-z0-9_-]{5,}$/;

/** The JSON object body of a request, or WeChat's 47001. */
export function jsonBody(request: Pick<SandboxRequest, 'body' | 'raw'>): Json {
  const { body, raw } = request;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SandboxApiError(47001, `data format error hint: [${raw.length} bytes]`);
  }
  return body as Json;
}

/** 40003 unless `openid` looks like an openid. */
export function requireOpenId(openid: unknown): string {
  if (typeof openid !== 'string' || !OPENID_PATTERN.test(openid)) {
    throw new SandboxApiError(40003, 'invalid openid');
  }
  return openid;
}

/** The JSON text of a success with extra fields. */
export function ok(fields: Json = {}): string {
  return JSON.stringify({ errcode: 0, errmsg: 'ok', ...fields });
}

/** UTF-8 byte length of a string (0 for a non-string). */
export function bytesOf(value: unknown): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0;
}

/** A paging `offset` / `count` (1–20) of the batchget calls, or 40032 / 47001. */
export function paging(body: Json): { offset: number; count: number } {
  const { offset, count } = body;
  if (!Number.isInteger(offset) || (offset as number) < 0) {
    throw new SandboxApiError(47001, 'data format error: offset');
  }
  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 20) {
    throw new SandboxApiError(40032, 'invalid count, count should be 1 to 20');
  }
  return { offset: offset as number, count: count as number };
}
