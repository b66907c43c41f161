import type { WechatXmlNode } from './wechat-message.interfaces';
import {
  isXmlNode,
  readXmlField,
  readXmlFieldText,
  readXmlNode,
  readXmlNodeList,
  readXmlText,
  readXmlTextList,
} from './wechat-xml.reader';

describe('wechat-xml.reader', () => {
  const item = (value: string): WechatXmlNode => ({ v: value });
  const node: WechatXmlNode = {
    text: 't',
    list: [item('1'), item('2')],
    one: item('x'),
    texts: ['a', 'b'],
    mixed: { _: 'm', child: 'c' },
    empty: '',
  };

  it('reads text from strings, lists and elements', () => {
    expect(readXmlText('s')).toBe('s');
    expect(readXmlText(['a', 'b'])).toBe('a');
    expect(readXmlText([])).toBeUndefined();
    expect(readXmlText({ _: 'm' })).toBe('m');
    expect(readXmlText({ child: 'c' })).toBe('');
    expect(readXmlText(undefined)).toBeUndefined();
  });

  it('reads own fields only', () => {
    expect(readXmlField(node, 'text')).toBe('t');
    expect(readXmlField(node, 'constructor')).toBeUndefined();
    expect(readXmlFieldText(node, 'mixed')).toBe('m');
    expect(readXmlFieldText(node, 'missing')).toBeUndefined();
  });

  it('reads element lists whether repeated or single', () => {
    expect(readXmlNodeList(node, 'list')).toEqual([item('1'), item('2')]);
    expect(readXmlNodeList(node, 'one')).toEqual([item('x')]);
    expect(readXmlNodeList(node, 'empty')).toEqual([]);
    expect(readXmlNodeList(node, 'missing')).toEqual([]);
    expect(readXmlNode(node, 'list')).toEqual(item('1'));
    expect(readXmlNode(node, 'text')).toBeUndefined();
  });

  it('reads text lists whether repeated or single', () => {
    expect(readXmlTextList(node, 'texts')).toEqual(['a', 'b']);
    expect(readXmlTextList(node, 'text')).toEqual(['t']);
    expect(readXmlTextList(node, 'missing')).toEqual([]);
  });

  it('tells elements from text and lists', () => {
    expect(isXmlNode(item('1'))).toBe(true);
    expect(isXmlNode('x')).toBe(false);
    expect(isXmlNode([item('1')])).toBe(false);
    expect(isXmlNode(undefined)).toBe(false);
  });
});
