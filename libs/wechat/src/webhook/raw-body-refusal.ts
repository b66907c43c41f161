import type { HttpException } from '@nestjs/common';

/**
 * What a body parser that ran before the route handler (Fastify's content-type parser) leaves as the
 * request body when it could not read the push: the refusal is thrown by the controller, after the
 * signature guard, so a push is answered the same on Express and on Fastify.
 */
export class RefusedRawBody {
  constructor(readonly error: HttpException) {}
}
