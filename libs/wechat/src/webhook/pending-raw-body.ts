import type { Readable } from 'node:stream';

/**
 * What the library's Fastify content-type parser leaves as the callback route's body: the payload
 * stream, not read yet. Fastify parses a body before the route's guards run; deferring the read to
 * the controller lets the signature guard (signature, replay window) decide before any body byte
 * is read, as on Express, so an unsigned client cannot hold a connection by trickling its body.
 */
export class PendingRawBody {
  constructor(readonly stream: Readable) {}
}
