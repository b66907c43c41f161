import { PayloadTooLargeException } from '@nestjs/common';
import { IncomingMessage, createServer, request as httpRequest, type Server } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { readCappedStream } from './raw-body.reader';

/** Resolves once Node has received the whole request (what the route sees after its guard). */
function whenComplete(request: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (request.complete) resolve();
      else setImmediate(check);
    };
    check();
  });
}

describe('readCappedStream on a Node request', () => {
  let server: Server;
  let url: string;
  let mode: 'complete' | 'at-once';
  let outcome: { path: 'buffered' | 'streamed'; ended: Promise<boolean> } | undefined;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const start = mode === 'complete' ? whenComplete(request) : Promise.resolve();
      void start.then(async () => {
        const buffered = request.complete && request.readableLength > 0;
        const ended = new Promise<boolean>((resolve) => {
          request.once('end', () => resolve(true));
          setTimeout(() => resolve(false), 1000).unref();
        });
        outcome = { path: buffered ? 'buffered' : 'streamed', ended };
        try {
          const body = await readCappedStream(request, 32);
          response.end(`${body.length}:${body.toString('utf8')}`);
        } catch (error: unknown) {
          response.statusCode = error instanceof PayloadTooLargeException ? 413 : 400;
          response.end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  function post(body: string, agent?: import('node:http').Agent): Promise<[number, string]> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${url}/`, { method: 'POST', agent }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve([res.statusCode ?? 0, text]));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it.each(['complete', 'at-once'] as const)(
    'reads the whole body (%s) exactly, and the stream still ends',
    async (which) => {
      mode = which;
      expect(await post('<xml>héllo</xml>')).toEqual([200, '17:<xml>héllo</xml>']);
      expect(outcome?.path).toBe(which === 'complete' ? 'buffered' : 'streamed');
      expect(await outcome?.ended).toBe(true);
    },
  );

  it('reads an empty body that has fully arrived', async () => {
    mode = 'complete';
    expect(await post('')).toEqual([200, '0:']);
  });

  it.each(['complete', 'at-once'] as const)(
    'refuses a body over the cap with 413 (%s) and the connection serves the next request',
    async (which) => {
      mode = which;
      const { Agent } = await import('node:http');
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        expect(await post('x'.repeat(33), agent)).toEqual([413, '']);
        expect(await post('ok', agent)).toEqual([200, '2:ok']);
      } finally {
        agent.destroy();
      }
    },
  );
});

describe('readCappedStream on a request whose body arrived before its end', () => {
  /** A Node request as the route sees it under Express: body buffered, `complete` not yet set. */
  function arrived(headers: Record<string, string>, ...chunks: string[]): IncomingMessage {
    const request = new IncomingMessage(new Socket());
    request.headers = headers;
    for (const chunk of chunks) request.push(Buffer.from(chunk, 'utf8'));
    return request;
  }

  it('takes the bytes the Content-Length announced at once, and the stream still ends', async () => {
    const request = arrived({ 'content-length': '17' }, '<xml>hé', 'llo</xml>');
    // Nothing ends this stream yet: only the buffered path can answer.
    const body = await readCappedStream(request, 32);
    expect(body.toString('utf8')).toBe('<xml>héllo</xml>');
    const ended = new Promise<boolean>((resolve) => request.once('end', () => resolve(true)));
    request.push(null);
    expect(await ended).toBe(true);
  });

  it.each(['hex', 'base64', 'utf8'] as const)(
    'reads the bytes of a stream someone set to %s, not its characters',
    async (encoding) => {
      const request = new IncomingMessage(new Socket());
      request.headers = { 'content-length': '17' };
      request.setEncoding(encoding);
      request.push(Buffer.from('<xml>héllo</xml>', 'utf8'));
      const reading = readCappedStream(request, 64);
      request.push(null);
      expect((await reading).toString('utf8')).toBe('<xml>héllo</xml>');
    },
  );

  it('refuses such a body over the cap with 413', async () => {
    const request = arrived({ 'content-length': '33' }, 'x'.repeat(33));
    await expect(readCappedStream(request, 32)).rejects.toBeInstanceOf(PayloadTooLargeException);
  });

  it.each([
    ['fewer bytes than announced', { 'content-length': '20' }],
    ['a chunked body', { 'transfer-encoding': 'chunked' }],
    ['no Content-Length', {}],
  ])('waits for the end of %s', async (_name, headers: Record<string, string>) => {
    const request = arrived(headers, '<xml>héllo</xml>');
    let done = false;
    const reading = readCappedStream(request, 32).then((body) => {
      done = true;
      return body.toString('utf8');
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    request.push(Buffer.from('abc'));
    request.push(null);
    expect(await reading).toBe('<xml>héllo</xml>abc');
  });
});
