import { PassThrough } from 'node:stream';
import { createFastifyRawBodyParser, type FastifyParserRequest } from './fastify-raw-body.parser';
import { PendingRawBody } from './pending-raw-body';
import { WECHAT_RAW_BODY_ROUTE } from './raw-body-route.decorator';

const callbackRoute: FastifyParserRequest = {
  is404: false,
  routeOptions: { config: { [WECHAT_RAW_BODY_ROUTE]: true } },
};

function parse(
  request: FastifyParserRequest,
  payload: PassThrough,
): Promise<{ error: Error | null; body: unknown }> {
  return new Promise((resolve) =>
    createFastifyRawBodyParser()(request, payload, (error, body) => resolve({ error, body })),
  );
}

describe('createFastifyRawBodyParser', () => {
  it('leaves the callback route body unread, for the controller to read after the guard', async () => {
    const payload = new PassThrough();
    payload.write(Buffer.from('<xml>'));
    const { error, body } = await parse(callbackRoute, payload);
    expect(error).toBeNull();
    expect(body).toBeInstanceOf(PendingRawBody);
    expect((body as PendingRawBody).stream).toBe(payload);
    // Not a byte was taken off the stream, and it is not flowing.
    expect(payload.readableLength).toBe(5);
    expect(payload.readableFlowing).toBeNull();
  });

  it('answers other routes as Fastify does with no parser: 415, and 404s go on unparsed', async () => {
    const other = { is404: false, routeOptions: { config: {} } };
    const { error } = await parse(other, new PassThrough());
    expect(error).toMatchObject({ statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' });
    await expect(parse({ ...other, is404: true }, new PassThrough())).resolves.toEqual({
      error: null,
      body: undefined,
    });
  });
});
