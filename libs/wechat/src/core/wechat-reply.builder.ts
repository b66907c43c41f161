import { WechatReplyError } from '../errors/wechat-reply.error';
import type { NewsArticle, WechatReply } from './wechat-reply.interfaces';
import { toCdata } from './xml-text';

/**
 * The header of the REQUEST being answered, in camelCase: `toUserName` is the account (`gh_…`),
 * `fromUserName` the user's OpenID. {@link buildReplyXml} swaps them.
 */
export interface WechatRequestHeader {
  readonly toUserName: string;
  readonly fromUserName: string;
}

/**
 * What {@link buildReplyXml} accepts as the request to answer: a {@link WechatRequestHeader}, or
 * the parsed request message itself (`ToUserName` / `FromUserName`).
 */
export type WechatReplyTarget =
  WechatRequestHeader | { readonly ToUserName: string; readonly FromUserName: string };

/** WeChat's limit on articles in a news reply. */
export const MAX_NEWS_ARTICLES = 8;

/**
 * Renders a passive reply as WeChat's reply XML (protocol.md §5), by string concatenation.
 *
 * `to` is the header of the REQUEST: the reply goes back to its sender, so the output's
 * `ToUserName` is the request's `FromUserName` (the user's OpenID) and the output's
 * `FromUserName` is the request's `ToUserName` (the account). Pass the parsed message itself, or
 * `{ toUserName, fromUserName }` copied from the request.
 *
 * Strings are written as CDATA (`]]>` split as `]]]]><![CDATA[>`), with the characters XML 1.0
 * forbids removed; `CreateTime` is plain unix seconds (default: now). Optional fields that are
 * `undefined` are left out.
 *
 * @example
 * ```ts
 * buildReplyXml({ type: 'text', content: 'hi' }, message);
 * // <xml><ToUserName><![CDATA[openid]]></ToUserName><FromUserName><![CDATA[gh_x]]></FromUserName>
 * // <CreateTime>…</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>
 * ```
 *
 * @throws WechatReplyError when the reply is invalid (unknown type, missing or empty required
 * field, 0 or more than 8 news articles), the request header is incomplete, or `createTime` is
 * not a non-negative number.
 */
export function buildReplyXml(
  reply: WechatReply,
  to: WechatReplyTarget,
  createTime?: number,
): string {
  const request = requestHeader(to);
  const seconds = replyTime(createTime);
  const content = body(reply);
  return (
    '<xml><ToUserName>' +
    toCdata(request.fromUserName) +
    '</ToUserName><FromUserName>' +
    toCdata(request.toUserName) +
    '</FromUserName><CreateTime>' +
    seconds +
    '</CreateTime><MsgType>' +
    toCdata(reply.type) +
    '</MsgType>' +
    content +
    '</xml>'
  );
}

function body(reply: WechatReply): string {
  if (typeof reply !== 'object' || reply === null) {
    throw new WechatReplyError('UNKNOWN_TYPE', 'A reply must be an object with a "type"');
  }
  switch (reply.type) {
    case 'text':
      return element('Content', required(reply.content, 'text', 'content'));
    case 'image':
      return (
        '<Image>' + element('MediaId', required(reply.mediaId, 'image', 'mediaId')) + '</Image>'
      );
    case 'voice':
      return (
        '<Voice>' + element('MediaId', required(reply.mediaId, 'voice', 'mediaId')) + '</Voice>'
      );
    case 'video':
      return (
        '<Video>' +
        element('MediaId', required(reply.mediaId, 'video', 'mediaId')) +
        optionalElement('Title', reply.title, 'video', 'title') +
        optionalElement('Description', reply.description, 'video', 'description') +
        '</Video>'
      );
    case 'music':
      return (
        '<Music>' +
        optionalElement('Title', reply.title, 'music', 'title') +
        optionalElement('Description', reply.description, 'music', 'description') +
        optionalElement('MusicUrl', reply.musicUrl, 'music', 'musicUrl') +
        optionalElement('HQMusicUrl', reply.hqMusicUrl, 'music', 'hqMusicUrl') +
        element('ThumbMediaId', required(reply.thumbMediaId, 'music', 'thumbMediaId')) +
        '</Music>'
      );
    case 'news':
      return news(reply.articles);
    case 'transfer_customer_service': {
      const account = optional(reply.kfAccount, 'transfer_customer_service', 'kfAccount');
      return account ? '<TransInfo>' + element('KfAccount', account) + '</TransInfo>' : '';
    }
    default:
      throw new WechatReplyError(
        'UNKNOWN_TYPE',
        `Unknown reply type ${JSON.stringify(String((reply as { type?: unknown }).type))}`,
      );
  }
}

function news(articles: readonly NewsArticle[]): string {
  const count = Array.isArray(articles) ? articles.length : 0;
  if (count < 1 || count > MAX_NEWS_ARTICLES) {
    throw new WechatReplyError(
      'BAD_ARTICLE_COUNT',
      `A news reply needs 1 to ${MAX_NEWS_ARTICLES} articles, got ${count}`,
    );
  }
  let xml = '<ArticleCount>' + articles.length + '</ArticleCount><Articles>';
  for (const article of articles) {
    if (typeof article !== 'object' || article === null) {
      throw new WechatReplyError('INVALID_FIELD', 'Each news article must be an object');
    }
    xml +=
      '<item>' +
      element('Title', required(article.title, 'news', 'articles[].title')) +
      optionalElement('Description', article.description, 'news', 'articles[].description') +
      optionalElement('PicUrl', article.picUrl, 'news', 'articles[].picUrl') +
      optionalElement('Url', article.url, 'news', 'articles[].url') +
      '</item>';
  }
  return xml + '</Articles>';
}

function element(name: string, value: string): string {
  return '<' + name + '>' + toCdata(value) + '</' + name + '>';
}

function optionalElement(name: string, value: unknown, type: string, field: string): string {
  const text = optional(value, type, field);
  return text === undefined ? '' : element(name, text);
}

function required(value: unknown, type: string, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new WechatReplyError(
      'INVALID_FIELD',
      `A ${type} reply needs a non-empty string "${field}"`,
    );
  }
  return value;
}

function optional(value: unknown, type: string, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new WechatReplyError('INVALID_FIELD', `"${field}" of a ${type} reply must be a string`);
  }
  return value;
}

function requestHeader(to: WechatReplyTarget): WechatRequestHeader {
  const pascal = to as { ToUserName?: unknown; FromUserName?: unknown };
  const camel = to as { toUserName?: unknown; fromUserName?: unknown };
  const toUserName = typeof pascal.ToUserName === 'string' ? pascal.ToUserName : camel.toUserName;
  const fromUserName =
    typeof pascal.FromUserName === 'string' ? pascal.FromUserName : camel.fromUserName;
  if (typeof toUserName !== 'string' || toUserName === '') {
    throw new WechatReplyError('BAD_ADDRESS', 'The request has no ToUserName (the account id)');
  }
  if (typeof fromUserName !== 'string' || fromUserName === '') {
    throw new WechatReplyError('BAD_ADDRESS', 'The request has no FromUserName (the OpenID)');
  }
  return { toUserName, fromUserName };
}

function replyTime(createTime: number | undefined): number {
  if (createTime === undefined) return Math.floor(Date.now() / 1000);
  if (typeof createTime !== 'number' || !Number.isFinite(createTime) || createTime < 0) {
    throw new WechatReplyError(
      'BAD_CREATE_TIME',
      'createTime must be a non-negative number of seconds',
    );
  }
  return Math.floor(createTime);
}
