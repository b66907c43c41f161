/**
 * The reply object the controller's `@Res({ passthrough: true })` gets: a Node `ServerResponse`
 * under Express, a Fastify reply (with the Node response as `raw`) under Fastify.
 */
export type HttpReply =
  | { setHeader(name: string, value: string): unknown }
  | { raw: object; header(name: string, value: string): unknown };

/**
 * Sets a response header verbatim on Express and on Fastify (Express's `res.set` would append a
 * charset to a Content-Type; Node's `setHeader` and Fastify's `reply.header` do not).
 */
export function setReplyHeader(reply: HttpReply, name: string, value: string): void {
  if ('raw' in reply && typeof reply.header === 'function') reply.header(name, value);
  else if ('setHeader' in reply) reply.setHeader(name, value);
}
