/** The Node `ServerResponse` a controller's `@Res()` gets under Express. */
export interface NodeHttpReply {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
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
 * is sent verbatim (Express's `res.send` would append a charset), with no ETag (WeChat never
 * revalidates); Node and Fastify set Content-Length.
 */
export function sendWechatReply(reply: HttpReply, contentType: string, body: string): void {
  if ('raw' in reply) {
    reply.code(200);
    reply.header('Content-Type', contentType);
    reply.send(body);
    return;
  }
  reply.statusCode = 200;
  reply.setHeader('Content-Type', contentType);
  reply.end(body);
}
