import {
  BadRequestException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { WECHAT_HTTP_MESSAGES } from '../wechat.messages';

/** The parts of a Node/Express request the reader looks at. */
export type RawBodyRequest = IncomingMessage & {
  rawBody?: unknown;
  body?: unknown;
  _body?: unknown;
};

/**
 * Reads a callback body as raw bytes, whatever its Content-Type, with a size cap, without the host
 * app changing its body parsers. WeChat sends `text/xml`, which Nest's default JSON and urlencoded
 * parsers leave untouched; if a host parser did consume the stream, its `rawBody` (Nest's
 * `rawBody: true`) or a string/Buffer `body` is used instead.
 *
 * @throws PayloadTooLargeException (413) past `maxBytes`; UnsupportedMediaTypeException (415) when a
 * parser consumed the body and kept no raw copy; BadRequestException (400) when the stream fails.
 */
export async function readRawBody(request: RawBodyRequest, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new PayloadTooLargeException(WECHAT_HTTP_MESSAGES.tooLarge);
  }
  const consumed = fromConsumedStream(request);
  if (consumed) {
    if (consumed.length > maxBytes)
      throw new PayloadTooLargeException(WECHAT_HTTP_MESSAGES.tooLarge);
    return consumed;
  }
  if (request.readableEnded || request._body === true) {
    throw new UnsupportedMediaTypeException(WECHAT_HTTP_MESSAGES.unreadableBody);
  }
  return readStream(request, maxBytes);
}

function fromConsumedStream(request: RawBodyRequest): Buffer | undefined {
  if (Buffer.isBuffer(request.rawBody)) return request.rawBody;
  if (request._body !== true && !request.readableEnded) return undefined;
  if (Buffer.isBuffer(request.body)) return request.body;
  if (typeof request.body === 'string') return Buffer.from(request.body, 'utf8');
  return undefined;
}

function readStream(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        // Stop buffering; let the rest of the body drain so the socket can answer 413.
        request.resume();
        reject(new PayloadTooLargeException(WECHAT_HTTP_MESSAGES.tooLarge));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (): void => {
      cleanup();
      reject(new BadRequestException(WECHAT_HTTP_MESSAGES.unreadableBody));
    };
    const onAborted = onError;
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
}
