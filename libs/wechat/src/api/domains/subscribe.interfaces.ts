// Argument and result shapes of client.subscribe (subscription notifications, 订阅通知).

import type { WechatBaseResponse } from '../wechat-api.interfaces';

/** Body of `POST /cgi-bin/message/subscribe/bizsend`. */
export interface WechatSubscribeMessage {
  /** The recipient's openid. */
  touser: string;
  /** The account's template id (from `addTemplate` or the console). */
  template_id: string;
  /** A web page to open (optional). */
  page?: string;
  /** A mini program page to open (optional; wins over `page`). */
  miniprogram?: { appid: string; pagepath: string };
  /** The values: `{ thing1: { value: '…' } }`, by the rules of each key's prefix. */
  data: Record<string, { value: string }>;
}

/** One template of the account (`gettemplate`). */
export interface WechatSubscribeTemplate {
  priTmplId: string;
  title: string;
  content: string;
  example: string;
  /** 2 = one-time, 3 = long-term. */
  type: number;
}

/** Raw answer of `GET /wxaapi/newtmpl/gettemplate`. */
export interface WechatSubscribeTemplateListResponse extends WechatBaseResponse {
  data: WechatSubscribeTemplate[];
}

/** Raw answer of `POST /wxaapi/newtmpl/addtemplate`. */
export interface WechatSubscribeAddTemplateResponse extends WechatBaseResponse {
  priTmplId: string;
}

/** Raw answer of `GET /wxaapi/newtmpl/getcategory`. */
export interface WechatSubscribeCategoryResponse extends WechatBaseResponse {
  data: { id: number; name: string }[];
}

/** Raw answer of `GET /wxaapi/newtmpl/getpubtemplatetitles`. */
export interface WechatSubscribePubTitlesResponse extends WechatBaseResponse {
  count: number;
  data: { tid: number; title: string; type: number; categoryId: string }[];
}

/** Raw answer of `GET /wxaapi/newtmpl/getpubtemplatekeywords`. */
export interface WechatSubscribePubKeywordsResponse extends WechatBaseResponse {
  count: number;
  data: { kid: number; name: string; example: string; rule: string }[];
}
