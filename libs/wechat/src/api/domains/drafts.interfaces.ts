// Argument and result shapes of client.drafts and client.publish (草稿箱 / 发布能力).

import type { WechatBaseResponse } from '../wechat-api.interfaces';

/** One article of a draft. */
export interface WechatDraftArticle {
  /** `news` (default) or `newspic` (image message). */
  article_type?: 'news' | 'newspic';
  title: string;
  author?: string;
  digest?: string;
  /** HTML; images inside it must come from `client.media.uploadArticleImage`. */
  content: string;
  content_source_url?: string;
  /** A permanent material id (required for `news`). */
  thumb_media_id?: string;
  need_open_comment?: 0 | 1;
  only_fans_can_comment?: 0 | 1;
  pic_crop_235_1?: string;
  pic_crop_1_1?: string;
}

/** An article as WeChat returns it (adds its URL and the thumb's). */
export interface WechatStoredArticle extends WechatDraftArticle {
  url?: string;
  thumb_url?: string;
  is_deleted?: boolean;
}

/** Raw answer of `POST /cgi-bin/draft/add`. */
export interface WechatDraftAddResponse extends WechatBaseResponse {
  media_id: string;
}

/** Raw answer of `POST /cgi-bin/draft/get` and `freepublish/getarticle`. */
export interface WechatNewsItemResponse extends WechatBaseResponse {
  news_item: WechatStoredArticle[];
}

/** Raw answer of `GET /cgi-bin/draft/count`. */
export interface WechatDraftCountResponse extends WechatBaseResponse {
  total_count: number;
}

/** One entry of `draft/batchget` / `freepublish/batchget`. */
export interface WechatNewsListItem {
  media_id?: string;
  article_id?: string;
  content: { news_item: WechatStoredArticle[]; create_time?: number; update_time?: number };
  update_time: number;
}

/** Raw answer of `draft/batchget` and `freepublish/batchget`. */
export interface WechatNewsListResponse extends WechatBaseResponse {
  total_count: number;
  item_count: number;
  item: WechatNewsListItem[];
}

/** A page of drafts or published articles. */
export interface WechatNewsList {
  totalCount: number;
  itemCount: number;
  items: WechatNewsListItem[];
  raw: WechatNewsListResponse;
}

/** Paging of the list calls. */
export interface WechatNewsListPage {
  /** Default 0. */
  offset?: number;
  /** 1–20, default 20. */
  count?: number;
  /** Leave out the articles' content. Default false. */
  noContent?: boolean;
}

/** Raw answer of `POST /cgi-bin/freepublish/submit` (ids kept as exact strings). */
export interface WechatPublishSubmitResponse extends WechatBaseResponse {
  publish_id: string;
  msg_data_id?: string;
}

/** `publish_status` of `freepublish/get`: 0 published, 1 publishing, 2 original-check failed, 3 failed, 4 refused, 5 deleted, 6 banned. */
export type WechatPublishStatus = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** Raw answer of `POST /cgi-bin/freepublish/get`. */
export interface WechatPublishGetResponse extends WechatBaseResponse {
  publish_id: string;
  publish_status: WechatPublishStatus;
  article_id?: string;
  article_detail?: { count: number; item: { idx: number; article_url: string }[] };
  fail_idx?: number[];
}
