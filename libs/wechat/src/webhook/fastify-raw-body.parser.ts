import { BadRequestException, HttpException, PayloadTooLargeException } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { WECHAT_HTTP_MESSAGES } from '../wechat.messages';
import { readCappedStream } from './raw-body.reader';
import { RefusedRawBody } from './raw-body-refusal';
import { isWechatRawBodyRoute } from './raw-body-route.decorator';

/** The parts of a Fastify request the parser looks at (no Fastify types at run time). */
export interface FastifyParserRequest {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly is404: boolean;
  readonly routeOptions: { readonly config?: unknown };
}

/** Fastify's content-type parser callback. */
export type FastifyParserDone = (error: Error | null, body?: unknown) => void;

/** A Fastify content-type parser working on the payload stream. */
export type FastifyStreamParser = (
  request: FastifyParserRequest,
  payload: Readable,
  done: FastifyParserDone,
) => void;

/** The largest callback body any WechatModule of the app accepts (each module re-checks its own). */
export interface FastifyRawBodyLimit {
  maxBytes: number;
}

/**
 * Fastify's answer to a body no parser accepts, as Fastify builds it (`FST_ERR_CTP_INVALID_MEDIA_TYPE`).
 */
function unsupportedMediaType(): Error {
  return Object.assign(new Error('Unsupported Media Type'), {
    statusCode: 415,
    code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
  });
}

/**
 * A catch-all (`'*'`) Fastify content-type parser that reads the callback route's body raw, whatever
 * its Content-Type, up to `limit.maxBytes`. Fastify parses a body before the route's guards run, so
 * a refusal (too large, unreadable) is not answered here: it becomes a {@link RefusedRawBody} that
 * the controller throws after the signature guard, as on Express. Every other route keeps Fastify's
 * own behaviour for a Content-Type it has no parser for (415).
 */
export function createFastifyRawBodyParser(limit: FastifyRawBodyLimit): FastifyStreamParser {
  return (request, payload, done) => {
    if (!isWechatRawBodyRoute(request.routeOptions.config)) {
      if (request.is404) done(null, undefined);
      else done(unsupportedMediaType());
      return;
    }
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit.maxBytes) {
      payload.resume();
      done(null, new RefusedRawBody(new PayloadTooLargeException(WECHAT_HTTP_MESSAGES.tooLarge)));
      return;
    }
    readCappedStream(payload, limit.maxBytes).then(
      (body) => done(null, body),
      (error: unknown) =>
        done(
          null,
          new RefusedRawBody(
            error instanceof HttpException
              ? error
              : new BadRequestException(WECHAT_HTTP_MESSAGES.unreadableBody),
          ),
        ),
    );
  };
}
