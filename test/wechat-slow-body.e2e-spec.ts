import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { OnWechatMessage, WechatModule, type WechatMessageOfType } from '@app/wechat';
import {
  WechatPushSimulator,
  startWechatApiServer,
  type WechatApiServer,
} from '@app/wechat/testing';
import { HTTP_ADAPTERS, initApp, type HttpAdapterName } from './support/http-adapters';

const APP_ID = 'wx51a0b0d1e5100b01';
const APP_SECRET = 'slowBodySecret0123456789abcdefXY';
const TOKEN = 'slowBodyToken9';
const AES_KEY = 'Zyxwvutsrqponmlkjihgfedcba9876543210ZYXWVUT';
const CUSTOM_SEND = '/cgi-bin/message/custom/send';
/** The client trickles one body byte this often (as the review's attacker did). */
const TRICKLE_EVERY_MS = 2_000;
/** A trickling client gives up (and the test fails) after sending this many body bytes. */
const TRICKLE_GIVE_UP_BYTES = 4;
/** A flooding client gives up after this many body bytes. */
const FLOOD_GIVE_UP_BYTES = 48 * 1024 * 1024;

/** What the handlers saw. */
class SeenPushes {
  readonly contents: string[] = [];
}

/** `slow:<ms>` replies `late <ms>` after that long; anything else is echoed at once. */
@Injectable()
class SlowBodyHandlers {
  constructor(private readonly seen: SeenPushes) {}

  @OnWechatMessage('text')
  async text(message: WechatMessageOfType<'text'>): Promise<string> {
    this.seen.contents.push(message.Content);
    const [kind, ms] = message.Content.split(':');
    if (kind === 'slow') await new Promise((resolve) => setTimeout(resolve, Number(ms)));
    return kind === 'slow' ? `late ${ms}` : `echo ${message.Content}`;
  }
}

@Module({ providers: [SeenPushes, SlowBodyHandlers], exports: [SeenPushes] })
class SlowBodyHandlersModule {}

interface RawOutcome {
  /** The status line's code of the server's answer, if one came. */
  readonly status?: number;
  /** How many body bytes the client had sent when the first byte of the answer arrived. */
  readonly sentBeforeAnswer?: number;
  /** Whether the server closed the connection (else the client gave up). */
  readonly closedByServer: boolean;
  /** Body bytes the client sent in all. */
  readonly sent: number;
  /** The client's local port: the server socket's remote port. */
  readonly port: number;
}

/**
 * Sends `head` on a raw socket, then body bytes from `next` (one call per step) until the server
 * closes the connection or the client gives up.
 */
function rawExchange(
  port: number,
  head: string,
  pump: (socket: Socket, sent: () => number, add: (n: number) => void, stop: () => void) => void,
): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let sent = 0;
    let answer = '';
    let sentBeforeAnswer: number | undefined;
    let settled = false;
    const finish = (closedByServer: boolean): void => {
      if (settled) return;
      settled = true;
      const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      resolve({
        status: match ? Number(match[1]) : undefined,
        sentBeforeAnswer,
        closedByServer,
        sent,
        port: socket.localPort ?? 0,
      });
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      if (sentBeforeAnswer === undefined) sentBeforeAnswer = sent;
      answer += chunk.toString('latin1');
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', () => {
      socket.write(head);
      pump(
        socket,
        () => sent,
        (n) => (sent += n),
        () => finish(false),
      );
    });
  });
}

/** One body byte at once, then one every {@link TRICKLE_EVERY_MS}, giving up after a few. */
function trickle(port: number, head: string): Promise<RawOutcome> {
  return rawExchange(port, head, (socket, sent, add, stop) => {
    const step = (): void => {
      if (socket.destroyed) return;
      if (sent() >= TRICKLE_GIVE_UP_BYTES) return stop();
      socket.write('<');
      add(1);
      setTimeout(step, TRICKLE_EVERY_MS).unref();
    };
    step();
  });
}

/** Body bytes as fast as the socket takes them (chunked framing when `chunked`). */
function flood(port: number, head: string, chunked: boolean): Promise<RawOutcome> {
  const payload = Buffer.alloc(16 * 1024, 'x');
  const frame = chunked
    ? Buffer.concat([
        Buffer.from(`${payload.length.toString(16)}\r\n`),
        payload,
        Buffer.from('\r\n'),
      ])
    : payload;
  return rawExchange(port, head, (socket, sent, add, stop) => {
    const step = (): void => {
      while (!socket.destroyed) {
        if (sent() >= FLOOD_GIVE_UP_BYTES) return stop();
        add(payload.length);
        if (!socket.write(frame)) {
          socket.once('drain', step);
          return;
        }
      }
    };
    step();
  });
}

const head = (search: string, headers: Record<string, string | number>): string =>
  `POST /wechat?${search} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n` +
  Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('') +
  '\r\n';

/**
 * Slow and endless bodies, and replayed URLs, against the callback endpoint on both platforms,
 * over raw sockets: the guard decides before any body byte is read, a signed body that does not
 * arrive within `bodyReadTimeoutMs` is dropped, an over-limit body is not drained, an old
 * signature is refused by default, and the reply deadline runs from the request's arrival.
 */
describe.each(HTTP_ADAPTERS)('callback endpoint on %s: slow bodies and replays', (adapter) => {
  const sim = new WechatPushSimulator({ token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY });
  let api: WechatApiServer;
  let app: INestApplication;
  let port: number;
  let seen: SeenPushes;
  /** The server side of each connection, by the client's port. */
  const serverSockets = new Map<number, Socket>();

  async function start(
    name: HttpAdapterName,
    extra: Record<string, unknown>,
  ): Promise<{ app: INestApplication; port: number }> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        WechatModule.forRoot({
          appId: APP_ID,
          appSecret: APP_SECRET,
          token: TOKEN,
          encodingAESKey: AES_KEY,
          apiBaseUrl: api.url,
          ...extra,
        }),
        SlowBodyHandlersModule,
      ],
    }).compile();
    const started = await initApp(moduleRef, name);
    await started.listen(0, '127.0.0.1');
    const server = started.getHttpServer() as Server;
    server.on('connection', (socket: Socket) => serverSockets.set(socket.remotePort ?? 0, socket));
    return { app: started, port: (server.address() as AddressInfo).port };
  }

  /** How many bytes the server read on the connection from `clientPort`, once it is closed. */
  async function serverRead(clientPort: number): Promise<number> {
    const socket = serverSockets.get(clientPort);
    if (!socket) throw new Error(`no server socket for client port ${clientPort}`);
    if (!socket.destroyed) await new Promise((resolve) => socket.once('close', resolve));
    return socket.bytesRead;
  }

  beforeAll(async () => {
    api = await startWechatApiServer({ appId: APP_ID, appSecret: APP_SECRET });
    ({ app, port } = await start(adapter, { bodyReadTimeoutMs: 1_000 }));
    seen = app.get(SeenPushes);
  });
  afterAll(async () => {
    await app?.close();
    await api?.close();
  });
  beforeEach(() => (seen.contents.length = 0));

  it('an unsigned POST trickling its body gets 401 before its second byte, then is closed', async () => {
    const outcome = await trickle(port, head('timestamp=1&nonce=2', { 'Content-Length': 1000 }));
    expect(outcome).toMatchObject({ status: 401, sentBeforeAnswer: 1, closedByServer: true });
    expect(outcome.sent).toBeLessThan(TRICKLE_GIVE_UP_BYTES);
  });

  it('a wrongly signed POST trickling its body gets 403 before its second byte, then is closed', async () => {
    const push = sim.sign(sim.text('forged'));
    const search = push.search.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(40)}`);
    const outcome = await trickle(port, head(search, { 'Content-Length': 1000 }));
    expect(outcome).toMatchObject({ status: 403, sentBeforeAnswer: 1, closedByServer: true });
  });

  it('a replayed old URL trickling its body gets 403 before its second byte, then is closed', async () => {
    const old = sim.sign(sim.text('replayed'), 'plaintext', {
      timestamp: String(Math.floor(Date.now() / 1000) - 3600),
    });
    const outcome = await trickle(port, head(old.search, { 'Content-Length': 1000 }));
    expect(outcome).toMatchObject({ status: 403, sentBeforeAnswer: 1, closedByServer: true });
    expect(seen.contents).toEqual([]);
  });

  it('a signed push whose body does not arrive within bodyReadTimeoutMs gets 408 and is dropped', async () => {
    const push = sim.sign(sim.text('trickled'));
    const outcome = await trickle(port, head(push.search, { 'Content-Length': 1000 }));
    expect(outcome).toMatchObject({ status: 408, sentBeforeAnswer: 1, closedByServer: true });
    expect(seen.contents).toEqual([]);
  });

  it('a signed chunked push trickling its body is dropped the same way', async () => {
    const push = sim.sign(sim.text('trickled'));
    const outcome = await trickle(
      port,
      head(push.search, { 'Transfer-Encoding': 'chunked' }) + '400\r\n',
    );
    expect(outcome).toMatchObject({ status: 408, sentBeforeAnswer: 1, closedByServer: true });
  });

  it('a chunked body past maxBodyBytes: 413, then the connection is closed and not drained', async () => {
    const push = sim.sign(sim.text('flood'));
    const outcome = await flood(port, head(push.search, { 'Transfer-Encoding': 'chunked' }), true);
    expect(outcome).toMatchObject({ status: 413, closedByServer: true });
    // 64 KiB accepted, then the server stops reading: what it read past that is small.
    expect(await serverRead(outcome.port)).toBeLessThan(1024 * 1024);
    expect(seen.contents).toEqual([]);
  });

  it('a declared Content-Length past maxBodyBytes: 413 at once, closed, the body not read', async () => {
    const push = sim.sign(sim.text('flood'));
    const outcome = await flood(
      port,
      head(push.search, { 'Content-Length': FLOOD_GIVE_UP_BYTES * 2 }),
      false,
    );
    expect(outcome).toMatchObject({ status: 413, closedByServer: true });
    expect(await serverRead(outcome.port)).toBeLessThan(1024 * 1024);
  });

  it('still answers a genuine push, and keeps its connection alive', async () => {
    const push = sim.sign(sim.text('genuine'), 'safe');
    const body = Buffer.from(push.body, 'utf8');
    const outcome = await rawExchange(
      port,
      head(push.search, { 'Content-Length': body.length }),
      (socket, _sent, add, stop) => {
        socket.write(body);
        add(body.length);
        socket.once('data', () => setTimeout(stop, 200).unref());
      },
    );
    expect(outcome).toMatchObject({ status: 200, closedByServer: false });
    expect(seen.contents).toEqual(['genuine']);
  });

  it('a replayed old URL with a forged plaintext body is refused by default, on a safe-mode app', async () => {
    const old = sim.sign(sim.text('forged by a replayer'), 'plaintext', {
      timestamp: String(Math.floor(Date.now() / 1000) - 3 * 365 * 24 * 3600),
    });
    const res = await fetch(`http://127.0.0.1:${port}/wechat?${old.search}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: old.body,
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      statusCode: 403,
      message: 'Stale WeChat timestamp',
      error: 'Forbidden',
    });
    expect(seen.contents).toEqual([]);
  });

  it('replayWindowSeconds: 0 turns the window off', async () => {
    const other = await start(adapter, { replayWindowSeconds: 0 });
    try {
      const old = sim.sign(sim.text('recorded vector'), 'plaintext', { timestamp: '1714036504' });
      const res = await fetch(`http://127.0.0.1:${other.port}/wechat?${old.search}`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: old.body,
      });
      expect(res.status).toBe(200);
      expect((await sim.readReply(await res.text())).fields.Content).toBe('echo recorded vector');
    } finally {
      await other.app.close();
    }
  });

  /** Sends a push's first 10 body bytes at once and the rest after `pauseMs`; reads the answer. */
  function slowUpload(
    toPort: number,
    push: { search: string; body: string },
    pauseMs: number,
  ): Promise<{ status: number; text: string }> {
    const body = Buffer.from(push.body, 'utf8');
    return new Promise((resolve, reject) => {
      const socket = connect(toPort, '127.0.0.1');
      let answer = '';
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString('utf8');
        const end = answer.indexOf('\r\n\r\n');
        const length = /content-length: (\d+)/i.exec(answer);
        if (end >= 0 && length && answer.length >= end + 4 + Number(length[1])) {
          socket.destroy();
          resolve({ status: Number(answer.slice(9, 12)), text: answer.slice(end + 4) });
        }
      });
      socket.on('connect', () => {
        socket.write(head(push.search, { 'Content-Length': body.length }));
        socket.write(body.subarray(0, 10));
        setTimeout(() => socket.write(body.subarray(10)), pauseMs).unref();
      });
    });
  }

  it('the reply deadline runs from the arrival of the request, not from the end of its body', async () => {
    // The body takes 1 s to arrive and the handler 1.2 s: each within replyTimeoutMs (1.5 s),
    // together past it. WeChat must get `success` in time, and the reply as a customer message.
    const other = await start(adapter, { bodyReadTimeoutMs: 1_400, replyTimeoutMs: 1_500 });
    try {
      const sendsBefore = api.calls(CUSTOM_SEND);
      const outcome = await slowUpload(other.port, sim.sign(sim.text('slow:1200')), 1_000);
      expect(outcome).toEqual({ status: 200, text: 'success' });
      await api.waitForCalls(CUSTOM_SEND, sendsBefore + 1);
      expect(api.lastBody(CUSTOM_SEND)).toMatchObject({
        msgtype: 'text',
        text: { content: 'late 1200' },
      });
    } finally {
      await other.app.close();
    }
  });

  it('a push whose body arrived after the whole reply budget still runs its handlers once, late', async () => {
    // bodyReadTimeoutMs above replyTimeoutMs: the budget is spent before the body is in.
    const other = await start(adapter, { bodyReadTimeoutMs: 2_000, replyTimeoutMs: 500 });
    try {
      const sendsBefore = api.calls(CUSTOM_SEND);
      const outcome = await slowUpload(other.port, sim.sign(sim.text('slow:300')), 800);
      expect(outcome).toEqual({ status: 200, text: 'success' });
      await api.waitForCalls(CUSTOM_SEND, sendsBefore + 1);
      expect(api.lastBody(CUSTOM_SEND)).toMatchObject({
        msgtype: 'text',
        text: { content: 'late 300' },
      });
      expect(other.app.get(SeenPushes).contents).toEqual(['slow:300']);
    } finally {
      await other.app.close();
    }
  });
});
