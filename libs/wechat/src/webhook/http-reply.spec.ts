import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendWechatReply } from './http-reply';

const XML = '<xml><Content><![CDATA[你好]]></Content></xml>';

/** One request to a real Node server whose handler answers with sendWechatReply. */
async function overNode(method = 'POST'): Promise<{
  status?: number;
  headers: IncomingHttpHeaders;
  body: string;
}> {
  const server = createServer((_req, res) => {
    res.statusCode = 500; // whatever was there before, the reply is a 200
    sendWechatReply(res, 'application/xml; charset=utf-8', XML);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path: '/' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
      req.on('error', reject);
      req.end(method === 'HEAD' ? undefined : '<xml/>');
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('sendWechatReply', () => {
  it('answers 200 with the body and Content-Type verbatim on a Node/Express response', async () => {
    const res = await overNode();
    expect(res.status).toBe(200);
    expect(res.body).toBe(XML);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(XML)));
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.headers.etag).toBeUndefined();
  });

  it('announces the length of the answer to a HEAD (Express routes it to the GET handler)', async () => {
    const res = await overNode('HEAD');
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(XML)));
  });

  it('writes nothing when something else answered first', async () => {
    const server = createServer((_req, res) => {
      sendWechatReply(res, 'text/plain', 'success');
      res.statusCode = 400;
      res.end('refused by a filter');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '' });
      expect(response.status).toBe(400);
      expect(await response.text()).toBe('refused by a filter');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers 200 with the body and Content-Type verbatim on a Fastify reply', async () => {
    const fastify = new FastifyAdapter().getInstance();
    fastify.post('/', (_request, reply) => {
      reply.code(500);
      sendWechatReply(reply, 'text/plain; charset=utf-8', 'success');
    });
    try {
      const res = await fastify.inject({ method: 'POST', url: '/', payload: '' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe('success');
      expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(res.headers['content-length']).toBe('7');
    } finally {
      await fastify.close();
    }
  });
});
