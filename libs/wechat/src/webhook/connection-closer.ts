import { ServerResponse } from 'node:http';

/**
 * Makes the answer to a refused request the last one on its connection: `Connection: close` is
 * set, and once the answer is flushed the socket is destroyed, so nothing more of the body (an
 * unsigned one, an over-limit one, one that never arrives) is read or drained. `reply` is the Node
 * response (Express) or a Fastify reply (the Node response as `raw`); anything else is ignored.
 */
export function closeConnectionAfterAnswer(reply: unknown): void {
  const response = nodeResponseOf(reply);
  const socket = response?.socket;
  if (!response || !socket || socket.destroyed) return;
  if (!response.headersSent) response.setHeader('Connection', 'close');
  const drop = (): void => {
    if (socket.destroyed) return;
    // Send what is queued (the answer), then close both directions.
    socket.end(() => socket.destroy());
  };
  if (response.writableFinished) drop();
  else response.once('finish', drop);
}

function nodeResponseOf(reply: unknown): ServerResponse | undefined {
  if (reply instanceof ServerResponse) return reply;
  if (typeof reply === 'object' && reply !== null) {
    const raw = (reply as { raw?: unknown }).raw;
    if (raw instanceof ServerResponse) return raw;
  }
  return undefined;
}
