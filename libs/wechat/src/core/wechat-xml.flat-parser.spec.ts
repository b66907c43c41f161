import { parseWechatXml } from './wechat-message.parser';
import * as flatParser from './wechat-xml.flat-parser';
import { parseFlatXmlDocument } from './wechat-xml.flat-parser';

/** The general (xml2js) path's answer: the fields, or the error's reason. */
async function general(xml: string): Promise<unknown> {
  const spy = jest.spyOn(flatParser, 'parseFlatXmlDocument').mockReturnValue(undefined);
  try {
    return await parseWechatXml(xml);
  } catch (error: unknown) {
    return { error: (error as { reason?: string }).reason ?? String(error) };
  } finally {
    spy.mockRestore();
  }
}

/** Same keys in the same order, same values, null prototypes. */
function snapshot(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return {
    proto: Object.getPrototypeOf(value) === null ? 'null' : 'object',
    entries: Object.entries(value).map(([key, item]) => [key, snapshot(item)]),
  };
}

/** The fast path either declines or agrees exactly with the general path. */
async function expectAgreement(xml: string): Promise<'fast' | 'general'> {
  const expected = await general(xml);
  const body = xml.replace(/^\s*<\?xml[^>]*\?>/, '');
  const fast = parseFlatXmlDocument(body);
  if (fast === undefined) return 'general';
  expect({ xml, result: snapshot(fast) }).toStrictEqual({ xml, result: snapshot(expected) });
  return 'fast';
}

const TEXT_PUSH =
  '<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName><FromUserName><![CDATA[o_user]]></FromUserName>' +
  '<CreateTime>1714036504</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content>' +
  '<MsgId>7000000000000000001</MsgId></xml>';

describe('parseFlatXmlDocument (fast path of parseWechatXml)', () => {
  it('reads the usual pushes itself, exactly as the general path does', async () => {
    const pushes = [
      TEXT_PUSH,
      `<?xml version="1.0" encoding="UTF-8"?>\n${TEXT_PUSH}\n`,
      '<xml>\n  <ToUserName><![CDATA[gh_x]]></ToUserName>\n  <Encrypt><![CDATA[AAAA+/==]]></Encrypt>\n</xml>\n',
      '<xml><ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[o_u]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[123]]></EventKey><Ticket><![CDATA[t]]></Ticket></xml>',
      '<xml><A><![CDATA[ spaced ]]></A><C/><D></D><E><![CDATA[]]></E><H>a<![CDATA[b]]>c</H></xml>',
      '<xml><A>  </A><B><![CDATA[  ]]></B><C> x </C><D>\t</D></xml>',
      '<xml><A><![CDATA[a]]><![CDATA[b]]></A><B><![CDATA[x]]]]><![CDATA[>y]]></B></xml>',
      '<xml><Content><![CDATA[中文 😀 <b> & "q"]]></Content><X>a>b</X><Y>]]&gt;</Y></xml>',
      '<xml><__proto__>1</__proto__><constructor>2</constructor><_>u</_><toString>y</toString></xml>',
      '<xml><a.b>1</a.b><a-b>2</a-b><xml>3</xml><Z9>4</Z9></xml>',
      '<xml></xml>',
      '  \n<xml>\t<A>1</A>\n</xml>  \n',
    ];
    const paths = [];
    for (const xml of pushes) paths.push(await expectAgreement(xml));
    // Every sample but the entity one is flat enough for the fast path.
    expect(paths.filter((path) => path === 'fast').length).toBeGreaterThanOrEqual(
      pushes.length - 1,
    );
  });

  it('leaves everything else to the general path', async () => {
    const others = [
      '<xml><F><G>1</G><G>2</G></F></xml>', // nested
      '<xml><A>1</A><A>2</A></xml>', // repeated
      '<xml><A x="1">t</A></xml>', // attribute
      '<xml><B>plain &amp; &lt;b&gt;</B></xml>', // entities
      '<xml><A>&#0;</A></xml>', // bad character reference
      '<xml><A>1\r\n2</A></xml>', // carriage return
      '<xml><!-- c --><A>1</A></xml>', // comment
      '<xml><?pi x?><A>1</A></xml>', // processing instruction
      '<xml><A >1</A></xml>', // whitespace in a tag
      '<xml><A>1</A ></xml>',
      '<xml><名>1</名></xml>', // non-ASCII name
      '<xml><a:b>1</a:b></xml>', // namespace-like name
      '<xml/>',
      '<xml a="1"><A>1</A></xml>',
      '<XML><A>1</A></XML>',
      '<root><A>1</A></root>',
      '<xml><A>1</xml>',
      '<xml><A>1</B></xml>',
      '<xml><A>1</A></xml>trailing',
      'leading<xml><A>1</A></xml>',
      '<xml><A>1</A></xml><xml/>',
      '<xml><A><![CDATA[x</A></xml>',
      '<xml>text<A>1</A></xml>',
      '<xml><A>1</A>',
    ];
    for (const xml of others) expect(await expectAgreement(xml)).toBe('general');
  });

  it('never disagrees with the general path on mutated pushes (fuzz)', async () => {
    // A deterministic PRNG, so a failure is reproducible.
    let seed = 0x2545f491;
    const random = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const pieces = [
      '<',
      '>',
      '/',
      '&',
      ']]>',
      '<![CDATA[',
      ' ',
      '\n',
      '\r',
      'A',
      '=',
      '"',
      '\u0000',
      '中',
      '!',
      '?',
      '</A>',
      '<A>',
    ];
    let fast = 0;
    for (let round = 0; round < 2000; round += 1) {
      let xml = TEXT_PUSH;
      const edits = 1 + random(3);
      for (let e = 0; e < edits; e += 1) {
        const at = random(xml.length + 1);
        if (random(2) === 0) xml = xml.slice(0, at) + pieces[random(pieces.length)] + xml.slice(at);
        else xml = xml.slice(0, at) + xml.slice(at + 1 + random(3));
      }
      if ((await expectAgreement(xml)) === 'fast') fast += 1;
    }
    expect(fast).toBeGreaterThan(100);
  });
});
