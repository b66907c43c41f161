import { createHash } from 'node:crypto';
import { WechatValidationError } from '../errors/wechat-api.error';
import { jssdkSignature, normalizeJssdkUrl } from './jssdk-signature';

// WeChat's documented example (JS-SDK appendix 1), as quoted in the issue.
const TICKET =
  'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg';

const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');

describe('jssdkSignature', () => {
  it("matches WeChat's documented vector", () => {
    const result = jssdkSignature({
      ticket: TICKET,
      nonceStr: 'Wm3WZYTPz0wzccnW',
      timestamp: 1414587457,
      url: 'http://mp.weixin.qq.com',
    });
    expect(result.signature).toBe('f4d90daf4b3bca3078ab155816175ba34c443a7b');
    expect(result.signed).toBe(
      `jsapi_ticket=${TICKET}&noncestr=Wm3WZYTPz0wzccnW&timestamp=1414587457&url=http://mp.weixin.qq.com`,
    );
  });

  it('signs a URL with a query, Chinese characters and percent-escapes exactly as given', () => {
    const url = normalizeJssdkUrl(
      'https://shop.example.com/活动/页?id=1&name=%E4%BD%A0%E5%A5%BD&x=a+b#/cart',
    );
    expect(url).toBe('https://shop.example.com/活动/页?id=1&name=%E4%BD%A0%E5%A5%BD&x=a+b');
    const { signature, signed } = jssdkSignature({
      ticket: 'T',
      nonceStr: 'N',
      timestamp: '1',
      url,
    });
    expect(signed).toBe(`jsapi_ticket=T&noncestr=N&timestamp=1&url=${url}`);
    expect(signature).toBe(sha1(signed));
  });
});

describe('normalizeJssdkUrl', () => {
  it('cuts at the first #', () => {
    expect(normalizeJssdkUrl('https://a.example/p?q=1#x#y')).toBe('https://a.example/p?q=1');
    expect(normalizeJssdkUrl('http://a.example#')).toBe('http://a.example');
  });

  it.each([
    [undefined, /full URL/],
    ['', /full URL/],
    ['/page?x=1', /absolute http\(s\) URL/],
    ['ftp://a.example/file', /absolute http\(s\) URL/],
    ['https://', /absolute http\(s\) URL/],
    ['https://a.example/p?a=1&amp;b=2', /&amp;/],
  ])('refuses %p with a WechatValidationError that says why', (url, message) => {
    let thrown: unknown;
    try {
      normalizeJssdkUrl(url);
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WechatValidationError);
    expect((thrown as WechatValidationError).field).toBe('url');
    expect((thrown as Error).message).toMatch(message);
  });
});
