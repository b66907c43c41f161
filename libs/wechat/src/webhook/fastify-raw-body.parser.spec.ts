import { PassThrough } from 'node:stream';
import { createFastifyRawBodyParser, type FastifyParserRequest } from './fastify-raw-body.parser';
import { RefusedRawBody } from './raw-body-refusal';
import { WECHAT_RAW_BODY_ROUTE } from './raw-body-route.decorator';

const callbackRoute = (headers: FastifyParserRequest['headers'] = {}): FastifyParserRequest => ({
  headers,
  is404: false,
  routeOptions: { config: { [WECHAT_RAW_BODY_ROUTE]: true } },
});

function parse(
  request: FastifyParserRequest,
  chunks: (Buffer | Error)[],
  maxBytes = 16,
): Promise<{ error: Error | null; body: unknown }> {
  const parser = createFastifyRawBodyParser({ maxBytes });
  const payload = new PassThrough();
  const result = new Promise<{ error: Error | null; body: unknown }>((resolve) =>
    parser(request, payload, (error, body) => resolve({ error, body })),
  );
  for (const chunk of chunks) {
    if (chunk instanceof Error) payload.destroy(chunk);
    else payload.write(chunk);
  }
  if (!chunks.some((chunk) => chunk instanceof Error)) payload.end();
  return result;
}

describe('createFastifyRawBodyParser', () => {
  it('reads the callback route body raw, whatever the bytes', async () => {
    const bytes = Buffer.from([0x3c, 0xff, 0x00, 0x3e]);
    await expect(parse(callbackRoute(), [bytes])).resolves.toEqual({ error: null, body: bytes });
  });

  it('defers a body over the cap as a 413 refusal for the controller', async () => {
    const { error, body } = await parse(callbackRoute(), [Buffer.alloc(10), Buffer.alloc(10)]);
    expect(error).toBeNull();
    expect(body).toBeInstanceOf(RefusedRawBody);
    expect((body as RefusedRawBody).error.getStatus()).toBe(413);
  });

  it('defers a declared Content-Length over the cap without reading', async () => {
    const { body } = await parse(callbackRoute({ 'content-length': '17' }), []);
    expect((body as RefusedRawBody).error.getStatus()).toBe(413);
  });

  it('defers a failing stream as a 400 refusal', async () => {
    const { body } = await parse(callbackRoute(), [Buffer.from('<x'), new Error('reset')]);
    expect((body as RefusedRawBody).error.getStatus()).toBe(400);
  });

  it('answers other routes as Fastify does with no parser: 415, and 404s go on unparsed', async () => {
    const other = { headers: {}, is404: false, routeOptions: { config: {} } };
    const { error } = await parse(other, [Buffer.from('x')]);
    expect(error).toMatchObject({ statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
    await expect(parse({ ...other, is404: true }, [])).resolves.toEqual({
      error: null,
      body: undefined,
    });
  });
});
