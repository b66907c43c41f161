import { createServer, connect, type Socket } from 'node:net';

/** A TCP proxy on loopback that delays every chunk, both ways, by a set time. */
export interface TcpDelayProxy {
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, for a proxy in front of a redis-server. */
  readonly url: string;
  /** Changes the one-way delay (ms) for chunks read from now on; order is kept. */
  setDelay(oneWayMs: number): void;
  /** Closes the listener and every proxied connection. */
  close(): Promise<void>;
}

/**
 * Starts a proxy to `127.0.0.1:<targetPort>` that holds each chunk `oneWayMs` before passing it
 * on, in each direction: a round trip through it takes `2 × oneWayMs` more than without it, while
 * the connection stays up (a slow Redis, not a dead one).
 */
export async function startTcpDelayProxy(
  targetPort: number,
  oneWayMs: number,
): Promise<TcpDelayProxy> {
  let delay = oneWayMs;
  const sockets = new Set<Socket>();
  const pipe = (from: Socket, to: Socket): void => {
    // Each chunk leaves no earlier than the one before it, so the stream's order is kept.
    let lastRelease = 0;
    from.on('data', (chunk: Buffer) => {
      const release = Math.max(Date.now() + delay, lastRelease);
      lastRelease = release;
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, release - Date.now());
    });
    from.on('close', () => setTimeout(() => to.destroy(), Math.max(lastRelease - Date.now(), 0)));
    from.on('error', () => undefined);
  };
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    setDelay: (ms) => {
      delay = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
