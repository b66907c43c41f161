import { parseWechatJson } from './wechat-json.parser';

describe('parseWechatJson', () => {
  it('keeps the named integer fields exact as strings', () => {
    expect(
      parseWechatJson('{"errcode":0,"errmsg":"ok","msgid":9007199254740993}', ['msgid']),
    ).toEqual({ errcode: 0, errmsg: 'ok', msgid: '9007199254740993' });
    expect(parseWechatJson('{ "msgid" : 18446744073709551615 }', ['msgid'])).toEqual({
      msgid: '18446744073709551615',
    });
    expect(parseWechatJson('{"a":[{"msgid":-12}],"b":1}', ['msgid'])).toEqual({
      a: [{ msgid: '-12' }],
      b: 1,
    });
  });

  it('leaves other fields and look-alikes inside strings alone', () => {
    const text = '{"errmsg":"{\\"msgid\\":123}","msgid2":9007199254740993,"msgid":1}';
    expect(parseWechatJson(text, ['msgid'])).toEqual({
      errmsg: '{"msgid":123}',
      msgid2: 9007199254740992,
      msgid: '1',
    });
    expect(parseWechatJson('{"msgid":12}')).toEqual({ msgid: 12 });
  });

  it('throws a SyntaxError for non-JSON', () => {
    expect(() => parseWechatJson('<html>', ['msgid'])).toThrow(SyntaxError);
  });
});
