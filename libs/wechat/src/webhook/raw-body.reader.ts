import {
  BadRequestException,
  PayloadTooLargeException,
  RequestTimeoutException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { WECHAT_HTTP_MESSAGES } from '../wechat.messages';
import { PendingRawBody } from './pending-raw-body';

/**
 * The parts of the request the reader looks at, as the controller's `@Req()` gets it: the Node
 * request itself under Express, a Fastify request (with the Node request as `raw`) under Fastify.
 */
export interface RawBodyRequest {
  readonly headers: IncomingHttpHeaders;
  /** Set by a body parser: Express's, Fastify's, or the library's own under Fastify ({@link PendingRawBody}). */
  readonly body?: unknown;
  /** Kept by Nest's body parsers when the app is created with `rawBody: true`. */
  readonly rawBody?: unknown;
  /** Set by Express's body parsers once they consumed the stream. */
  readonly _body?: unknown;
  /** Fastify only: the Node request. */
  readonly raw?: unknown;
  /** Express only (the request is the Node stream): whether the body was read already. */
  readonly readableEnded?: boolean;
}

/** The limits of one body read. */
export interface RawBodyLimits {
  /** Past this many bytes the body is refused (413). */
  readonly maxBytes: number;
  /** The body must have arrived within this many ms (408 otherwise); none when absent. */
  readonly timeoutMs?: number;
}

/**
 * Reads a callback body as raw bytes, whatever its Content-Type, with a size cap and a time limit,
 * without the host app changing its body parsers, on Express and on Fastify:
 * - Express: the Node stream is read here, unless a host parser (JSON, urlencoded) consumed it;
 * - Fastify: the library's content-type parser left the payload stream unread
 *   ({@link PendingRawBody}) and it is read here, after the signature guard, as on Express;
 *   Nest's JSON/urlencoded parsers keep those two types, as on Express.
 * A parser's raw copy (`rawBody: true`) or a string/Buffer body is used when the stream is gone.
 * On a refusal the stream is left paused, not drained: the caller closes the connection.
 *
 * @throws PayloadTooLargeException (413) past `maxBytes`; RequestTimeoutException (408) when the
 * body is still incomplete after `timeoutMs`; UnsupportedMediaTypeException (415) when a parser
 * consumed the body and kept no raw copy; BadRequestException (400) when the stream fails.
 */
export async function readRawBody(request: RawBodyRequest, limits: RawBodyLimits): Promise<Buffer> {
  const { maxBytes } = limits;
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new PayloadTooLargeException(WECHAT_HTTP_MESSAGES.tooLarge);
  }
  if (request.body instanceof PendingRawBody) return readCappedStream(request.body.stream, limits);
  const consumed = fromParsedBody(request);
  if (consumed) {
    if (consumed.length > maxBytes)
      throw new PayloadTooLargeException(WECHAT_HTTP_MESSAGES.tooLarge);
    return consumed;
  }
  if (isFastifyRequest(request) || request.readableEnded || request._body === true) {
    throw new UnsupportedMediaTypeException(WECHAT_HTTP_MESSAGES.unreadableBody);
  }
  return readCappedStream(request as unknown as Readable, limits);
}

/**
 * Reads a stream to its end into one Buffer, refusing it past `maxBytes` or when it has not ended
 * within `timeoutMs`. A refused stream is paused and left unread (not drained): the connection is
 * the caller's to close.
 *
 * @throws PayloadTooLargeException (413) past `maxBytes`; RequestTimeoutException (408) after
 * `timeoutMs`; BadRequestException (400) when the stream fails or the client goes away.
 */
export function readCappedStream(stream: Readable, limits: RawBodyLimits): Promise<Buffer> {
  const { maxBytes, timeoutMs } = limits;
  const received = takeReceivedBody(stream);
  if (received) {
    return received.length > maxBytes
      ? Promise.reject(new PayloadTooLargeException(WECHAT_HTTP_MESSAGES.tooLarge))
      : Promise.resolve(received);
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('aborted', onError);
    };
    /** Stops reading: nothing more of this body is taken off the socket. */
    const refuse = (error: Error): void => {
      cleanup();
      stream.pause();
      reject(error);
    };
    const onData = (chunk: Buffer | string): void => {
      // A string only if someone called setEncoding(): back to the bytes in that encoding.
      const bytes =
        typeof chunk === 'string' ? Buffer.from(chunk, stream.readableEncoding ?? 'utf8') : chunk;
      size += bytes.length;
      if (size > maxBytes) {
        refuse(new PayloadTooLargeException(WECHAT_HTTP_MESSAGES.tooLarge));
        return;
      }
      chunks.push(bytes);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (): void => {
      cleanup();
      reject(new BadRequestException(WECHAT_HTTP_MESSAGES.unreadableBody));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('aborted', onError);
    if (timeoutMs !== undefined) {
      timer = setTimeout(
        () => refuse(new RequestTimeoutException(WECHAT_HTTP_MESSAGES.bodyTimeout)),
        Math.max(timeoutMs, 0),
      );
    }
  });
}

/**
 * The whole body at once when Node has already received and buffered all of it, and nothing has
 * started reading the stream: the usual case for a small push by the time the route runs after its
 * guard. That is a Node request whose `complete` is set or whose buffer holds as many bytes as its
 * Content-Length announced (Node runs the route between the body and the end of the message, so
 * under Express `complete` is usually still false). `read()` empties the buffer; `end` follows as
 * usual. `undefined` when the body is still arriving or someone else reads the stream.
 */
function takeReceivedBody(stream: Readable): Buffer | undefined {
  const request = stream as Readable & { complete?: unknown; headers?: IncomingHttpHeaders };
  // With setEncoding() the buffer holds characters, not the bytes Content-Length counts.
  if (stream.readableFlowing !== null || stream.readableEnded || stream.readableEncoding !== null) {
    return undefined;
  }
  if (request.complete !== true && !holdsDeclaredBody(request, stream.readableLength)) {
    return undefined;
  }
  const chunk = stream.read() as Buffer | null;
  // Before the end of the message, a paused stream would never emit `end`: let it flow (empty).
  if (request.complete !== true) stream.resume();
  return chunk ?? Buffer.alloc(0);
}

/** Whether `buffered` bytes are the whole body a Content-Length (and no chunking) announced. */
function holdsDeclaredBody(request: { headers?: IncomingHttpHeaders }, buffered: number): boolean {
  const headers = request.headers;
  if (headers === undefined || headers['transfer-encoding'] !== undefined) return false;
  const declared = headers['content-length'];
  return declared === String(buffered);
}

function fromParsedBody(request: RawBodyRequest): Buffer | undefined {
  const { body } = request;
  if (Buffer.isBuffer(request.rawBody)) return request.rawBody;
  const fastify = isFastifyRequest(request);
  if (!fastify && request._body !== true && !request.readableEnded) return undefined;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  // Fastify calls the handler without parsing when a request carries no body at all.
  if (fastify && body === undefined) return Buffer.alloc(0);
  return undefined;
}

function isFastifyRequest(request: RawBodyRequest): boolean {
  return typeof request.raw === 'object' && request.raw !== null && request.raw !== request;
}
