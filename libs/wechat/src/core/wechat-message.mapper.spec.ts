import { WechatXmlError } from '../errors/wechat-xml.error';
import { toWechatMessage } from './wechat-message.mapper';

describe('toWechatMessage', () => {
  it('builds a typed message from ordinary (non-null-prototype) fields', () => {
    const fields = {
      ToUserName: 'gh',
      FromUserName: 'o',
      CreateTime: ' 12 ',
      MsgType: 'text',
      Content: 'c',
      MsgId: '1',
    };
    expect(toWechatMessage(fields)).toStrictEqual({
      ToUserName: 'gh',
      FromUserName: 'o',
      CreateTime: 12,
      MsgType: 'text',
      MsgId: '1',
      Content: 'c',
      raw: fields,
    });
  });

  it('never reads inherited Object.prototype members as fields', () => {
    const message = toWechatMessage({ MsgType: 'event', Event: 'CLICK' });
    expect(message).toMatchObject({ Event: 'CLICK', EventKey: '' });
    expect(() => toWechatMessage({ Event: 'x' })).toThrow(WechatXmlError);
    expect(toWechatMessage({ MsgType: 'constructor' }).MsgType).toBe('constructor');
  });

  it('gives CreateTime 0 when it is not a number', () => {
    expect(toWechatMessage({ MsgType: 'text', CreateTime: 'soon' }).CreateTime).toBe(0);
  });

  it('reads the first of a repeated scalar field and the text of an element', () => {
    const message = toWechatMessage({
      MsgType: 'text',
      Content: ['first', 'second'],
      ToUserName: { _: 'gh', $: { a: '1' } },
    });
    expect(message).toMatchObject({ Content: 'first', ToUserName: 'gh' });
  });
});
