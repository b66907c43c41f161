// Argument and result shapes of client.users and client.tags. Field names are WeChat's own.

import type { WechatBaseResponse } from '../wechat-api.interfaces';

/** Raw answer of `GET /cgi-bin/user/get` (and of the tag-member and blacklist lists). */
export interface WechatOpenIdPageResponse extends WechatBaseResponse {
  /** Followers in total (for tag members: absent). */
  total?: number;
  /** openids on this page. */
  count: number;
  data?: { openid: string[] };
  /** Where the next page starts; empty at the end. */
  next_openid: string;
}

/** One page of openids. */
export interface WechatOpenIdPage {
  total?: number;
  openIds: string[];
  /** Pass to the next call; empty at the end. */
  nextOpenId: string;
  raw: WechatOpenIdPageResponse;
}

/** One tag. */
export interface WechatTag {
  id: number;
  name: string;
  /** Followers with this tag. */
  count?: number;
}

/** Raw answer of `POST /cgi-bin/tags/create`. */
export interface WechatTagCreateResponse extends WechatBaseResponse {
  tag: { id: number; name: string };
}

/** Raw answer of `GET /cgi-bin/tags/get`. */
export interface WechatTagListResponse extends WechatBaseResponse {
  tags: WechatTag[];
}

/** Raw answer of `POST /cgi-bin/tags/getidlist`. */
export interface WechatTagIdListResponse extends WechatBaseResponse {
  tagid_list: number[];
}

/** Result of a batch call WeChat takes in chunks (tagging, blacklisting). */
export interface WechatBatchResult {
  /** How many calls were made (one per chunk). */
  calls: number;
  /** WeChat's answer to each call, in order. */
  raw: WechatBaseResponse[];
}
