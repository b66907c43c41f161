import { stripInvalidXmlChars, toCdata } from './xml-text';

describe('stripInvalidXmlChars', () => {
  it('removes C0 controls except tab, LF and CR', () => {
    let controls = '';
    for (let code = 0; code < 0x20; code += 1) controls += String.fromCharCode(code);
    expect(stripInvalidXmlChars(`a${controls}b`)).toBe('a\t\n\rb');
  });

  it('removes U+FFFE, U+FFFF and lone surrogates, keeps pairs and other text', () => {
    expect(stripInvalidXmlChars('x\ufffe\uffffy')).toBe('xy');
    expect(stripInvalidXmlChars('\ud800a\udc00b\ud83d')).toBe('ab');
    expect(stripInvalidXmlChars('😀 中文 \u007f \u0085 \ufffd')).toBe(
      '😀 中文 \u007f \u0085 \ufffd',
    );
  });
});

describe('toCdata', () => {
  it('wraps text in CDATA', () => {
    expect(toCdata('a <b> & c')).toBe('<![CDATA[a <b> & c]]>');
    expect(toCdata('')).toBe('<![CDATA[]]>');
  });

  it('splits every "]]>"', () => {
    expect(toCdata(']]>')).toBe('<![CDATA[]]]]><![CDATA[>]]>');
    expect(toCdata('a]]>b]]>c')).toBe('<![CDATA[a]]]]><![CDATA[>b]]]]><![CDATA[>c]]>');
  });

  it('removes forbidden characters before splitting (so they cannot hide a "]]>")', () => {
    expect(toCdata(']]\u0000>')).toBe('<![CDATA[]]]]><![CDATA[>]]>');
  });
});
