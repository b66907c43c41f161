import type { Readable } from 'node:stream';
import { PendingRawBody } from './pending-raw-body';
import { isWechatRawBodyRoute } from './raw-body-route.decorator';

/** The parts of a Fastify request the parser looks at (no Fastify types at run time). */
export interface FastifyParserRequest {
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
 * A catch-all (`'*'`) Fastify content-type parser for the callback route, whatever its
 * Content-Type. Fastify parses a body before the route's guards run, so this parser reads nothing:
 * it leaves the payload stream as a {@link PendingRawBody}, which the controller reads (size cap,
 * time limit) only after the signature guard has accepted the request, as on Express. Every other
 * route keeps Fastify's own behaviour for a Content-Type it has no parser for (415).
 */
export function createFastifyRawBodyParser(): FastifyStreamParser {
  return (request, payload, done) => {
    if (isWechatRawBodyRoute(request.routeOptions.config)) done(null, new PendingRawBody(payload));
    else if (request.is404) done(null, undefined);
    else done(unsupportedMediaType());
  };
}
