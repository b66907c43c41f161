/** The Node `ServerResponse` a controller's `@Res()` gets under Express. */
export interface NodeHttpReply {
  statusCode: number;
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  setHeader(name: string, value: string | number): unknown;
  end(body: string): unknown;
}

/** The Fastify reply a controller's `@Res()` gets under Fastify (the Node response is `raw`). */
export interface FastifyHttpReply {
  readonly raw: object;
  code(statusCode: number): unknown;
  header(name: string, value: string): unknown;
  send(body: string): unknown;
}

/** The reply object of the callback's `@Res()`, on Express or on Fastify. */
export type HttpReply = NodeHttpReply | FastifyHttpReply;

/**
 * Answers `200` with exactly `body` as `contentType`. The callback writes its answers itself
 * instead of returning them to Nest, so what WeChat reads cannot be changed by the host app:
 * a global interceptor that maps handler results (wrapping them as `{ code, data }` JSON, say)
 * would otherwise turn the reply XML or `echostr` into something WeChat rejects. The Content-Type
 * is sent verbatim (Express's `res.send` would append a charset), with a Content-Length and no
 * ETag (WeChat never revalidates).
 *
 * On Express the answer leaves in the event loop's next check phase (`setImmediate`), once the
 * interceptors in force have run after the handler, so one that sets a header on the way out
 * (`tap(() => res.setHeader(...))`) still can; if one of them failed and the host's exception
 * filter answered instead, nothing more is written. On Fastify the answer is sent at once: Fastify
 * would send an empty reply for a handler that returns without one (headers an interceptor adds
 * afterwards are dropped there; set them in a Fastify hook).
 */
export function sendWechatReply(reply: HttpReply, contentType: string, body: string): void {
  if ('raw' in reply) {
    reply.code(200);
    reply.header('Content-Type', contentType);
    reply.send(body);
    return;
  }
  setImmediate(writeNodeReply, reply, contentType, body);
}

function writeNodeReply(reply: NodeHttpReply, contentType: string, body: string): void {
  if (reply.headersSent || reply.writableEnded) return;
  reply.statusCode = 200;
  reply.setHeader('Content-Type', contentType);
  // Explicit, so a HEAD (which Express routes to the GET handler) announces it too.
  reply.setHeader('Content-Length', Buffer.byteLength(body, 'utf8'));
  reply.end(body);
}
