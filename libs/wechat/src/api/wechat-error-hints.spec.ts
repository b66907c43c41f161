import { invalidDataField, wechatErrorHint } from './wechat-error-hints';

describe('wechatErrorHint', () => {
  it.each([45009, 48001, 43101, 40113, 41005, 45106, 40013, 40125, 40164, 89503])(
    '%i has a fixed hint',
    (errcode) => {
      expect(wechatErrorHint(errcode)).toEqual(expect.any(String));
      expect(wechatErrorHint(errcode, 'whatever errmsg')).toBe(wechatErrorHint(errcode));
    },
  );

  it('45009 says it is never retried; 45106 points to drafts', () => {
    expect(wechatErrorHint(45009)).toContain('never retried');
    expect(wechatErrorHint(45106)).toContain('client.drafts.add');
  });

  it.each([
    ['argument invalid! data.thing1.value exceeds limit rid: 1', 'thing1'],
    ['argument invalid! data.character_string12.value invalid', 'character_string12'],
    ['argument invalid! data.time5 invalid', 'time5'],
    ['argument invalid!', undefined],
  ])('47003: the field of %j is %s', (errmsg, field) => {
    expect(invalidDataField(errmsg)).toBe(field);
  });

  it('47003 names the field and the rule of its prefix, when known', () => {
    expect(wechatErrorHint(47003, 'data.phrase2.value invalid')).toBe(
      'the template data is invalid: every data key needs { value } following the rule of its key prefix; WeChat refused "phrase2" (phrase: at most 5 Chinese characters).',
    );
    expect(wechatErrorHint(47003, 'data.custom9.value invalid')).toBe(
      'the template data is invalid: every data key needs { value } following the rule of its key prefix; WeChat refused "custom9".',
    );
  });

  it('unknown codes have no hint', () => {
    expect(wechatErrorHint(40066)).toBeUndefined();
    expect(wechatErrorHint(0)).toBeUndefined();
  });
});
