import { WechatReplyError, type WechatReplyErrorReason } from '../errors/wechat-reply.error';
import { MsgCrypt } from './msg-crypt';
import type { WechatXmlNode } from './wechat-message.interfaces';
import { parseWechatMessage, parseWechatXml } from './wechat-message.parser';
import { buildReplyXml } from './wechat-reply.builder';
import type { NewsArticle, WechatReply } from './wechat-reply.interfaces';

const ACCOUNT = 'gh_97417a04a28d';
const OPENID = 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY';
const TIME = 1714112445;
/** The REQUEST's header: sent by the user (FromUserName) to the account (ToUserName). */
const REQUEST = { toUserName: ACCOUNT, fromUserName: OPENID };
const HEAD = (msgType: string): string =>
  `<xml><ToUserName><![CDATA[${OPENID}]]></ToUserName><FromUserName><![CDATA[${ACCOUNT}]]></FromUserName>` +
  `<CreateTime>${TIME}</CreateTime><MsgType><![CDATA[${msgType}]]></MsgType>`;

function reasonOf(action: () => unknown): WechatReplyErrorReason {
  try {
    action();
  } catch (error: unknown) {
    if (error instanceof WechatReplyError) return error.reason;
    throw error;
  }
  throw new Error('expected a WechatReplyError, nothing was thrown');
}

function articles(count: number): NewsArticle[] {
  return Array.from({ length: count }, (_, i) => ({ title: `t${i}` }));
}

describe('buildReplyXml', () => {
  it.each<[string, WechatReply, string]>([
    [
      'text',
      { type: 'text', content: 'hi\nthere' },
      `${HEAD('text')}<Content><![CDATA[hi\nthere]]></Content></xml>`,
    ],
    [
      'image',
      { type: 'image', mediaId: 'MEDIA_ID' },
      `${HEAD('image')}<Image><MediaId><![CDATA[MEDIA_ID]]></MediaId></Image></xml>`,
    ],
    [
      'voice',
      { type: 'voice', mediaId: 'MEDIA_ID' },
      `${HEAD('voice')}<Voice><MediaId><![CDATA[MEDIA_ID]]></MediaId></Voice></xml>`,
    ],
    [
      'video (all fields)',
      { type: 'video', mediaId: 'MEDIA_ID', title: 'T', description: 'D' },
      `${HEAD('video')}<Video><MediaId><![CDATA[MEDIA_ID]]></MediaId><Title><![CDATA[T]]></Title>` +
        '<Description><![CDATA[D]]></Description></Video></xml>',
    ],
    [
      'video (media only)',
      { type: 'video', mediaId: 'MEDIA_ID' },
      `${HEAD('video')}<Video><MediaId><![CDATA[MEDIA_ID]]></MediaId></Video></xml>`,
    ],
    [
      'music (all fields)',
      {
        type: 'music',
        title: 'T',
        description: 'D',
        musicUrl: 'http://m/1.mp3',
        hqMusicUrl: 'http://m/1.flac',
        thumbMediaId: 'THUMB',
      },
      `${HEAD('music')}<Music><Title><![CDATA[T]]></Title><Description><![CDATA[D]]></Description>` +
        '<MusicUrl><![CDATA[http://m/1.mp3]]></MusicUrl><HQMusicUrl><![CDATA[http://m/1.flac]]></HQMusicUrl>' +
        '<ThumbMediaId><![CDATA[THUMB]]></ThumbMediaId></Music></xml>',
    ],
    [
      'music (thumbnail only)',
      { type: 'music', thumbMediaId: 'THUMB' },
      `${HEAD('music')}<Music><ThumbMediaId><![CDATA[THUMB]]></ThumbMediaId></Music></xml>`,
    ],
    [
      'news (one article)',
      {
        type: 'news',
        articles: [
          { title: 'T', description: 'D', picUrl: 'http://p/1.jpg', url: 'http://u?a=1&b=2' },
        ],
      },
      `${HEAD('news')}<ArticleCount>1</ArticleCount><Articles><item><Title><![CDATA[T]]></Title>` +
        '<Description><![CDATA[D]]></Description><PicUrl><![CDATA[http://p/1.jpg]]></PicUrl>' +
        '<Url><![CDATA[http://u?a=1&b=2]]></Url></item></Articles></xml>',
    ],
    [
      'news (two articles, optional fields left out)',
      { type: 'news', articles: [{ title: 'A' }, { title: 'B', url: 'http://b' }] },
      `${HEAD('news')}<ArticleCount>2</ArticleCount><Articles><item><Title><![CDATA[A]]></Title></item>` +
        '<item><Title><![CDATA[B]]></Title><Url><![CDATA[http://b]]></Url></item></Articles></xml>',
    ],
    [
      'transfer_customer_service',
      { type: 'transfer_customer_service' },
      `${HEAD('transfer_customer_service')}</xml>`,
    ],
    [
      'transfer_customer_service to an account',
      { type: 'transfer_customer_service', kfAccount: 'test1@test' },
      `${HEAD('transfer_customer_service')}<TransInfo><KfAccount><![CDATA[test1@test]]></KfAccount></TransInfo></xml>`,
    ],
  ])('%s → exact XML', (_name, reply, expected) => {
    expect(buildReplyXml(reply, REQUEST, TIME)).toBe(expected);
  });

  it('swaps the header: reply ToUserName = request FromUserName and vice versa', () => {
    const xml = buildReplyXml({ type: 'text', content: 'x' }, REQUEST, TIME);
    expect(xml.startsWith(`<xml><ToUserName><![CDATA[${OPENID}]]></ToUserName>`)).toBe(true);
    expect(xml).toContain(`<FromUserName><![CDATA[${ACCOUNT}]]></FromUserName>`);
  });

  it('accepts the parsed request message itself as the header', () => {
    const message = { ToUserName: ACCOUNT, FromUserName: OPENID };
    expect(buildReplyXml({ type: 'text', content: 'x' }, message, TIME)).toBe(
      buildReplyXml({ type: 'text', content: 'x' }, REQUEST, TIME),
    );
  });

  it('defaults CreateTime to now (unix seconds) and floors a fractional time', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_700_000_000_999);
    try {
      expect(buildReplyXml({ type: 'text', content: 'x' }, REQUEST)).toContain(
        '<CreateTime>1700000000</CreateTime>',
      );
    } finally {
      now.mockRestore();
    }
    expect(buildReplyXml({ type: 'text', content: 'x' }, REQUEST, 12.9)).toContain(
      '<CreateTime>12</CreateTime>',
    );
  });

  describe('round trip: request XML → typed message → reply XML → parsed fields', () => {
    const request =
      `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><FromUserName><![CDATA[${OPENID}]]></FromUserName>` +
      '<CreateTime>1714112445</CreateTime><MsgType><![CDATA[text]]></MsgType>' +
      '<Content><![CDATA[hello]]></Content><MsgId>23456789012345678901</MsgId></xml>';

    it('text', async () => {
      const message = await parseWechatMessage(request);
      const fields = await parseWechatXml(
        buildReplyXml({ type: 'text', content: '你好 👋' }, message, 1714112446),
      );
      expect({ ...fields }).toStrictEqual({
        ToUserName: OPENID,
        FromUserName: ACCOUNT,
        CreateTime: '1714112446',
        MsgType: 'text',
        Content: '你好 👋',
      });
    });

    it('news', async () => {
      const message = await parseWechatMessage(request);
      const xml = buildReplyXml(
        { type: 'news', articles: [{ title: 'A', url: 'http://a?x=1&y=2' }, { title: 'B' }] },
        message,
        TIME,
      );
      const fields = await parseWechatXml(xml);
      expect(fields.ToUserName).toBe(OPENID);
      expect(fields.ArticleCount).toBe('2');
      expect(JSON.parse(JSON.stringify(fields.Articles))).toStrictEqual({
        item: [{ Title: 'A', Url: 'http://a?x=1&y=2' }, { Title: 'B' }],
      });
    });

    it('music', async () => {
      const message = await parseWechatMessage(request);
      const fields = await parseWechatXml(
        buildReplyXml({ type: 'music', thumbMediaId: 'T', hqMusicUrl: 'http://hq' }, message, TIME),
      );
      const music = fields.Music as WechatXmlNode;
      expect({ ...music }).toStrictEqual({ HQMusicUrl: 'http://hq', ThumbMediaId: 'T' });
    });

    it('encrypted: the reply envelope decrypts back to the reply XML', async () => {
      const crypt = new MsgCrypt({
        token: 'AAAAA',
        encodingAESKey: 'A'.repeat(43),
        appId: 'wxba5fad812f8e6fb9',
      });
      const message = await parseWechatMessage(request);
      const replyXml = buildReplyXml({ type: 'text', content: 'secret' }, message, TIME);
      const envelope = crypt.encryptReply(replyXml, { nonce: '415670741', timestamp: TIME });
      const outer = await parseWechatXml(envelope.xml);
      const inner = crypt.decrypt(outer.MsgSignature, outer.TimeStamp, outer.Nonce, outer.Encrypt);
      expect(inner.message).toBe(replyXml);
      expect((await parseWechatXml(inner.message)).Content).toBe('secret');
    });
  });

  describe('text that needs escaping', () => {
    it('splits "]]>" and keeps <&> inside CDATA', () => {
      const xml = buildReplyXml({ type: 'text', content: 'a]]>b <&> c' }, REQUEST, TIME);
      expect(xml).toContain('<Content><![CDATA[a]]]]><![CDATA[>b <&> c]]></Content>');
    });

    it('round-trips "]]>", "<&>" and drops characters XML 1.0 forbids', async () => {
      const content =
        'x]]>y]]]]>z <a href="&amp;"> & \u0001\u0008\u000b\u000c\u001f\ufffe\uffff\ud800 ok\t\r\n 😀';
      const xml = buildReplyXml({ type: 'text', content }, REQUEST, TIME);
      const fields = await parseWechatXml(xml);
      expect(fields.Content).toBe('x]]>y]]]]>z <a href="&amp;"> &  ok\t\r\n 😀');
    });

    it('sanitises the header too', async () => {
      const xml = buildReplyXml(
        { type: 'text', content: 'x' },
        { toUserName: 'gh]]>\u0000', fromUserName: 'o<user>' },
        TIME,
      );
      const fields = await parseWechatXml(xml);
      expect(fields.ToUserName).toBe('o<user>');
      expect(fields.FromUserName).toBe('gh]]>');
    });
  });

  describe('invalid replies', () => {
    it.each<[string, unknown, WechatReplyErrorReason]>([
      ['news with 0 articles', { type: 'news', articles: [] }, 'BAD_ARTICLE_COUNT'],
      ['news with 9 articles', { type: 'news', articles: articles(9) }, 'BAD_ARTICLE_COUNT'],
      ['news without articles', { type: 'news' }, 'BAD_ARTICLE_COUNT'],
      [
        'news with an article without title',
        { type: 'news', articles: [{ url: 'u' }] },
        'INVALID_FIELD',
      ],
      ['news with a null article', { type: 'news', articles: [null] }, 'INVALID_FIELD'],
      ['text without content', { type: 'text' }, 'INVALID_FIELD'],
      ['text with empty content', { type: 'text', content: '' }, 'INVALID_FIELD'],
      ['text with non-string content', { type: 'text', content: 42 }, 'INVALID_FIELD'],
      ['image without mediaId', { type: 'image' }, 'INVALID_FIELD'],
      ['voice with empty mediaId', { type: 'voice', mediaId: '' }, 'INVALID_FIELD'],
      ['video without mediaId', { type: 'video', title: 't' }, 'INVALID_FIELD'],
      ['video with a non-string title', { type: 'video', mediaId: 'm', title: 1 }, 'INVALID_FIELD'],
      ['music without thumbMediaId', { type: 'music', title: 't' }, 'INVALID_FIELD'],
      ['an unknown type', { type: 'mpnews', mediaId: 'm' }, 'UNKNOWN_TYPE'],
      ['null', null, 'UNKNOWN_TYPE'],
    ])('%s → %s', (_label, reply, reason) => {
      expect(reasonOf(() => buildReplyXml(reply as WechatReply, REQUEST, TIME))).toBe(reason);
    });

    it('accepts exactly 8 news articles', () => {
      expect(buildReplyXml({ type: 'news', articles: articles(8) }, REQUEST, TIME)).toContain(
        '<ArticleCount>8</ArticleCount>',
      );
    });

    it.each([
      ['no ToUserName', { toUserName: '', fromUserName: OPENID }],
      ['no FromUserName', { toUserName: ACCOUNT, fromUserName: '' }],
      ['an empty object', {}],
    ])('BAD_ADDRESS for a request header with %s', (_label, header) => {
      expect(
        reasonOf(() =>
          buildReplyXml({ type: 'text', content: 'x' }, header as typeof REQUEST, TIME),
        ),
      ).toBe('BAD_ADDRESS');
    });

    it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])(
      'BAD_CREATE_TIME for %p',
      (createTime) => {
        expect(
          reasonOf(() => buildReplyXml({ type: 'text', content: 'x' }, REQUEST, createTime)),
        ).toBe('BAD_CREATE_TIME');
      },
    );

    it('errors carry code WECHAT_REPLY and do not quote the content', () => {
      let caught: unknown;
      try {
        buildReplyXml({ type: 'news', articles: [] }, REQUEST, TIME);
      } catch (error: unknown) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(WechatReplyError);
      expect((caught as WechatReplyError).code).toBe('WECHAT_REPLY');
      expect((caught as WechatReplyError).message).toBe(
        'A news reply needs 1 to 8 articles, got 0',
      );
    });
  });
});
