import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  MsgCrypt,
  WechatCryptoError,
  WechatModule,
  WechatXmlError,
  computeSignature,
  parseWechatMessage,
} from '@app/wechat';
import {
  WechatPushSimulator,
  startWechatApiServer,
  type WechatApiServer,
} from '@app/wechat/testing';
import { FixtureHandlersModule } from './fixtures/handlers.fixture';
import { captureOutput, type OutputCapture } from './support/token-log-capture';
import { prng } from './support/prng';

const APP_ID = 'wxf0220f0220f02201';
const APP_SECRET = 'hostileSecret0123456789abcdefXYZ';
const TOKEN = 'hostileToken77';
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const USER_SECRET_TEXT = 'my-private-message-4711';

const PIECES = [
  '<xml>',
  '</xml>',
  '<![CDATA[',
  ']]>',
  '<MsgType>',
  '</MsgType>',
  'text',
  'event',
  '<Content>',
  '</Content>',
  '<Encrypt>',
  '</Encrypt>',
  '&amp;',
  '&lol;',
  '<!DOCTYPE x [<!ENTITY a "b">]>',
  '<?xml version="1.0"?>',
  '<__proto__>',
  '</__proto__>',
  '<constructor>',
  '\u0000',
  '\uffff',
  '😀',
  '<',
  '>',
  '"',
  "'",
  '=',
  ' ',
];

/** A random mutation of a valid body: byte flips, cuts, splices of XML fragments, garbage. */
function mutate(valid: string, random: () => number): Buffer {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  let text = valid;
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (text.length + 1));
    switch (Math.floor(random() * 5)) {
      case 0:
        text = text.slice(0, at) + pick(PIECES) + text.slice(at);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 20));
        break;
      case 2:
        text = text.slice(0, at);
        break;
      case 3:
        text =
          text.slice(0, at) +
          String.fromCharCode(Math.floor(random() * 0x3000)) +
          text.slice(at + 1);
        break;
      default:
        text = pick(PIECES).repeat(1 + Math.floor(random() * 50));
    }
  }
  const bytes = Buffer.from(text, 'utf8');
  if (random() < 0.1) bytes[Math.floor(random() * bytes.length)] = 0xff; // invalid UTF-8
  return bytes;
}

/**
 * Hostile and random input at the parser, the decrypter and the endpoint: every request is
 * answered 4xx or with a reply WeChat would accept, never 5xx, never a crash or a hang; nothing
 * secret reaches the logs.
 */
describe('hostile input', () => {
  const sim = new WechatPushSimulator({ token: TOKEN, appId: APP_ID, encodingAESKey: AES_KEY });
  const crypt = new MsgCrypt({ token: TOKEN, encodingAESKey: AES_KEY, appId: APP_ID });
  let api: WechatApiServer;
  let app: INestApplication;
  let url: string;
  let output: OutputCapture;

  beforeAll(async () => {
    output = captureOutput();
    api = await startWechatApiServer({ appId: APP_ID, appSecret: APP_SECRET });
    // The default logger, so the log-capture check below sees what a production app would log.
    app = await NestFactory.create(
      {
        module: class HostileModule {},
        imports: [
          WechatModule.forRoot({
            appId: APP_ID,
            appSecret: APP_SECRET,
            token: TOKEN,
            encodingAESKey: AES_KEY,
            apiBaseUrl: api.url,
          }),
          FixtureHandlersModule,
        ],
      },
      { logger: ['log', 'warn', 'error'] },
    );
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await api?.close();
    output?.restore();
  });

  async function post(
    search: string,
    body: Buffer | string,
  ): Promise<{ status: number; text: string }> {
    const res = await fetch(`${url}/wechat?${search}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, text: await res.text() };
  }

  /** A 200 must be `success`, empty, or a reply that reads back (decrypting and checking it). */
  async function expectAcceptable(
    answer: { status: number; text: string },
    label: string,
  ): Promise<void> {
    if (answer.status === 200) {
      await expect(sim.readReply(answer.text)).resolves.toBeDefined();
      return;
    }
    if (answer.status < 400 || answer.status >= 500) {
      throw new Error(`${label}: answered ${answer.status} ${answer.text.slice(0, 100)}`);
    }
  }

  it('fuzz: 1500 mutated plaintext bodies with valid signatures → 4xx or a valid reply', async () => {
    const random = prng(20261124);
    const valid = sim.sign(sim.text('fuzz me')).plainXml;
    for (let i = 0; i < 1500; i++) {
      const push = sim.sign(sim.text('x'));
      const answer = await post(push.search, mutate(valid, random));
      await expectAcceptable(answer, `plaintext case ${i}`);
    }
  });

  it('fuzz: 1000 mutated safe-mode pushes, re-signed so the decrypter and the parser see them', async () => {
    const random = prng(7);
    for (let i = 0; i < 1000; i++) {
      const inner = mutate(sim.sign(sim.text(`inner ${i}`)).plainXml, random).toString('utf8');
      let encrypt = crypt.encrypt(inner);
      if (random() < 0.5) {
        // Corrupt the ciphertext itself (base64 alphabet, length, padding) and sign the result.
        const chars = encrypt.split('');
        chars[Math.floor(random() * chars.length)] = 'ABC+/=!'[Math.floor(random() * 7)];
        encrypt =
          random() < 0.3
            ? chars.join('').slice(0, Math.floor(random() * chars.length))
            : chars.join('');
      }
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = String(i);
      const query = new URLSearchParams({
        signature: computeSignature(TOKEN, timestamp, nonce),
        timestamp,
        nonce,
        encrypt_type: 'aes',
        msg_signature: computeSignature(TOKEN, timestamp, nonce, encrypt),
      });
      const answer = await post(
        query.toString(),
        `<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
      );
      await expectAcceptable(answer, `safe case ${i}`);
    }
  });

  it('fuzz: 500 random query strings → 4xx (the guard), never 5xx', async () => {
    const random = prng(99);
    const names = [
      'signature',
      'timestamp',
      'nonce',
      'echostr',
      'encrypt_type',
      'msg_signature',
      'openid',
      '__proto__',
    ];
    const values = [
      '',
      'aes',
      '0',
      '-1',
      '%00',
      '1e999',
      'a'.repeat(300),
      '../',
      '[]',
      '{"a":1}',
      '0000000000000000000000000000000000000000',
    ];
    for (let i = 0; i < 500; i++) {
      const parts: string[] = [];
      for (let j = Math.floor(random() * 6); j > 0; j--) {
        const name = names[Math.floor(random() * names.length)];
        const value = values[Math.floor(random() * values.length)];
        parts.push(`${name}${random() < 0.1 ? '[]' : ''}=${encodeURIComponent(value)}`);
      }
      const search = parts.join('&');
      const get = await fetch(`${url}/wechat?${search}`);
      expect(get.status).toBeGreaterThanOrEqual(400);
      expect(get.status).toBeLessThan(500);
      const answer = await post(search, sim.sign(sim.text('q')).body);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    }
  });

  it('fuzz (core): the parser and the decrypter reject garbage only with their typed errors', async () => {
    const random = prng(4242);
    const valid = sim.sign(sim.text('core')).plainXml;
    for (let i = 0; i < 3000; i++) {
      const body = mutate(valid, random);
      try {
        await parseWechatMessage(body);
      } catch (error: unknown) {
        if (!(error instanceof WechatXmlError)) throw error;
      }
      const encrypt = body.toString('base64').slice(0, Math.floor(random() * 200));
      try {
        crypt.decrypt(computeSignature(TOKEN, '1', '2', encrypt), '1', '2', encrypt);
      } catch (error: unknown) {
        if (!(error instanceof WechatCryptoError)) throw error;
      }
    }
  });

  describe('known attacks', () => {
    const signed = () => sim.sign(sim.text('x')).search;

    it('an XML bomb (nested entities) is refused with 400 at once', async () => {
      const entities = Array.from(
        { length: 9 },
        (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`,
      ).join('');
      const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${entities}]><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&lol9;</Content></xml>`;
      const answer = await post(signed(), bomb);
      expect(answer.status).toBe(400);
    });

    it('an external entity (file:///etc/passwd) is refused and never read', async () => {
      const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>`;
      const answer = await post(signed(), xxe);
      expect(answer.status).toBe(400);
      expect(answer.text).not.toContain('root:');
    });

    it('__proto__ and constructor as tag names pollute nothing', async () => {
      const body = `<xml><ToUserName>gh_a</ToUserName><FromUserName>o_proto_user</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>proto</Content><MsgId>77</MsgId><__proto__><polluted>yes</polluted></__proto__><constructor><prototype><polluted>yes</polluted></prototype></constructor></xml>`;
      const answer = await post(signed(), body);
      await expectAcceptable(answer, 'proto');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    });

    it('5000-deep nesting is refused cleanly', async () => {
      const deep = `<xml>${'<a>'.repeat(5000)}x${'</a>'.repeat(5000)}</xml>`;
      const answer = await post(signed(), deep);
      expect(answer.status).toBe(400);
    });

    it('invalid UTF-8 is answered 4xx or a valid reply, never 5xx', async () => {
      const body = Buffer.concat([
        Buffer.from(
          '<xml><ToUserName>a</ToUserName><FromUserName>o_utf8_user</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>',
        ),
        Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]),
        Buffer.from('</Content><MsgId>88</MsgId></xml>'),
      ]);
      await expectAcceptable(await post(signed(), body), 'utf8');
    });

    it('a 10 MB body is refused with 413', async () => {
      const huge = Buffer.alloc(10 * 1024 * 1024, 'a');
      const answer = await post(signed(), huge);
      expect(answer.status).toBe(413);
    });

    it('the endpoint still answers normally afterwards', async () => {
      const push = sim.sign(sim.text(USER_SECRET_TEXT), 'safe');
      const answer = await post(push.search, push.body);
      expect((await sim.readReply(answer.text)).fields.Content).toBe(`first:${USER_SECRET_TEXT}`);
      // A handler that throws is logged (with the MsgId, not the text).
      const failing = sim.sign(sim.text('throw'), 'safe');
      expect((await post(failing.search, failing.body)).status).toBe(200);
    });
  });

  it('nothing secret reached the logs: no AppSecret, token, AES key, access_token or user text', async () => {
    // Make the API client fetch and use a token, so there is one to leak.
    await fetch(`${url}/wechat`); // a refused GET, logged or not
    const { WechatClientService } = await import('@app/wechat');
    const client = app.get(WechatClientService);
    const accessToken = await client.getAccessToken();
    api.injectError('/cgi-bin/user/info', { errcode: 40001, errmsg: 'invalid credential' });
    await client.getUserInfo('o_log_user_1');
    const logs = output.text();
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [APP_SECRET, TOKEN, AES_KEY, accessToken, USER_SECRET_TEXT]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).toContain('MsgId='); // the failing handler was logged, by id
  });
});
