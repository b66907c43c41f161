import {
  BadRequestException,
  PayloadTooLargeException,
  RequestTimeoutException,
} from '@nestjs/common';
import { IncomingMessage, createServer, request as httpRequest, type Server } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { PendingRawBody } from './pending-raw-body';
import { readCappedStream, readRawBody, type RawBodyRequest } from './raw-body.reader';

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
          const body = await readCappedStream(request, { maxBytes: 32 });
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
    'refuses a body over the cap with 413 (%s)',
    async (which) => {
      mode = which;
      expect(await post('x'.repeat(33))).toEqual([413, '']);
    },
  );
});

describe('readCappedStream: refusals stop reading', () => {
  it('past the cap: 413, and the rest of the body is left unread (not drained)', async () => {
    const stream = new PassThrough();
    const reading = readCappedStream(stream, { maxBytes: 16 });
    stream.write(Buffer.alloc(10));
    stream.write(Buffer.alloc(10));
    await expect(reading).rejects.toBeInstanceOf(PayloadTooLargeException);
    stream.write(Buffer.alloc(1000));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.readableFlowing).toBe(false);
    expect(stream.readableLength).toBe(1000);
  });

  it('a body still incomplete after timeoutMs: 408, and nothing more is read', async () => {
    const stream = new PassThrough();
    const reading = readCappedStream(stream, { maxBytes: 1024, timeoutMs: 20 });
    stream.write(Buffer.from('<xml>'));
    await expect(reading).rejects.toBeInstanceOf(RequestTimeoutException);
    await expect(reading).rejects.toMatchObject({ message: 'WeChat push body too slow' });
    stream.write(Buffer.from('</xml>'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.readableFlowing).toBe(false);
    expect(stream.readableLength).toBe(6);
  });

  it('a body that ends within timeoutMs is read whole', async () => {
    const stream = new PassThrough();
    const reading = readCappedStream(stream, { maxBytes: 1024, timeoutMs: 5_000 });
    stream.end(Buffer.from('<xml/>'));
    expect((await reading).toString('utf8')).toBe('<xml/>');
  });
});

describe('readRawBody', () => {
  const fastifyRequest = (body: unknown, headers: Record<string, string> = {}): RawBodyRequest => ({
    headers,
    body,
    raw: {},
  });

  it('reads the payload a PendingRawBody holds (Fastify), within the limits', async () => {
    const stream = new PassThrough();
    const reading = readRawBody(fastifyRequest(new PendingRawBody(stream)), { maxBytes: 64 });
    stream.end(Buffer.from([0x3c, 0xff, 0x00, 0x3e]));
    expect(await reading).toEqual(Buffer.from([0x3c, 0xff, 0x00, 0x3e]));
  });

  it('refuses a declared Content-Length over the cap with 413 without reading', async () => {
    const stream = new PassThrough();
    stream.write(Buffer.alloc(8));
    const request = fastifyRequest(new PendingRawBody(stream), { 'content-length': '65' });
    await expect(readRawBody(request, { maxBytes: 64 })).rejects.toBeInstanceOf(
      PayloadTooLargeException,
    );
    expect(stream.readableLength).toBe(8);
  });

  it('refuses a PendingRawBody stream that fails with 400', async () => {
    const stream = new PassThrough();
    const reading = readRawBody(fastifyRequest(new PendingRawBody(stream)), { maxBytes: 64 });
    stream.destroy(new Error('reset'));
    await expect(reading).rejects.toBeInstanceOf(BadRequestException);
  });

  it('takes an empty body for a Fastify request that carried none', async () => {
    expect(await readRawBody(fastifyRequest(undefined), { maxBytes: 64 })).toEqual(Buffer.alloc(0));
  });
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
    const body = await readCappedStream(request, { maxBytes: 32 });
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
      const reading = readCappedStream(request, { maxBytes: 64 });
      request.push(null);
      expect((await reading).toString('utf8')).toBe('<xml>héllo</xml>');
    },
  );

  it('refuses such a body over the cap with 413', async () => {
    const request = arrived({ 'content-length': '33' }, 'x'.repeat(33));
    await expect(readCappedStream(request, { maxBytes: 32 })).rejects.toBeInstanceOf(
      PayloadTooLargeException,
    );
  });

  it.each([
    ['fewer bytes than announced', { 'content-length': '20' }],
    ['a chunked body', { 'transfer-encoding': 'chunked' }],
    ['no Content-Length', {}],
  ])('waits for the end of %s', async (_name, headers: Record<string, string>) => {
    const request = arrived(headers, '<xml>héllo</xml>');
    let done = false;
    const reading = readCappedStream(request, { maxBytes: 32 }).then((body) => {
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
