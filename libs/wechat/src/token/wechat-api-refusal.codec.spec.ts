import { WechatApiError, WechatHttpError } from '../errors/wechat-api.error';
import { wechatApiRefusalCodec } from './wechat-api-refusal.codec';

describe('wechatApiRefusalCodec', () => {
  it('round-trips a WechatApiError: same class, path, errcode, errmsg and message', () => {
    const original = new WechatApiError('/cgi-bin/token', 40164, 'invalid ip 203.0.113.9 rid: x');
    const text = wechatApiRefusalCodec.encode(original) as string;
    expect(JSON.parse(text)).toEqual({
      path: '/cgi-bin/token',
      errcode: 40164,
      errmsg: 'invalid ip 203.0.113.9 rid: x',
    });
    const decoded = wechatApiRefusalCodec.decode(text);
    expect(decoded).toBeInstanceOf(WechatApiError);
    expect(decoded).toMatchObject({
      name: 'WechatApiError',
      code: 'WECHAT_API',
      path: '/cgi-bin/token',
      errcode: 40164,
      errmsg: 'invalid ip 203.0.113.9 rid: x',
      message: original.message,
    });
  });

  it('does not share errors that are not WeChat answers', () => {
    expect(
      wechatApiRefusalCodec.encode(new WechatHttpError('/cgi-bin/token', 'TIMEOUT', 3, 'slow')),
    ).toBeUndefined();
    expect(wechatApiRefusalCodec.encode(new Error('boom'))).toBeUndefined();
    expect(wechatApiRefusalCodec.encode('40164')).toBeUndefined();
  });

  it.each([
    '',
    'not json',
    'null',
    '{"path":"/p","errcode":"40164","errmsg":"m"}',
    '{"errcode":1}',
  ])('ignores stored text that is not a refusal of ours: %j', (text) => {
    expect(wechatApiRefusalCodec.decode(text)).toBeUndefined();
  });
});
