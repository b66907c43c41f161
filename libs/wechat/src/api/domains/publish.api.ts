import type { WechatApiCaller } from '../wechat-api.caller';
import type { WechatBaseResponse, WechatOkResult } from '../wechat-api.interfaces';
import { requireInt, requireText } from './domain-validation';
import { listBody, newsList } from './drafts.api';
import type {
  WechatNewsItemResponse,
  WechatNewsList,
  WechatNewsListPage,
  WechatNewsListResponse,
  WechatPublishGetResponse,
  WechatPublishStatus,
  WechatPublishSubmitResponse,
  WechatStoredArticle,
} from './drafts.interfaces';

/** API paths of the publishing domain. */
export const PUBLISH_PATHS = {
  submit: '/cgi-bin/freepublish/submit',
  get: '/cgi-bin/freepublish/get',
  delete: '/cgi-bin/freepublish/delete',
  getArticle: '/cgi-bin/freepublish/getarticle',
  list: '/cgi-bin/freepublish/batchget',
} as const;

/** Result of `client.publish.get`. */
export interface WechatPublishJob {
  publishId: string;
  status: WechatPublishStatus;
  articleId?: string;
  /** The published articles' URLs, by index (0-based). */
  articleUrls: string[];
  /** Indexes of the articles that failed (status 2 / 3). */
  failedIndexes: number[];
  raw: WechatPublishGetResponse;
}

/**
 * `client.publish`: publishes drafts (发布, not a mass send). The outcome arrives later as the
 * typed `PUBLISHJOBFINISH` event; `get` polls it.
 */
export class WechatPublishApi {
  /** @param api the account's token-authenticated request pipeline. */
  constructor(private readonly api: WechatApiCaller) {}

  /**
   * Submits a draft for publishing (`POST /cgi-bin/freepublish/submit`).
   *
   * @returns `publishId` (and `msgDataId`) as exact decimal strings.
   */
  async submit(
    mediaId: string,
  ): Promise<{ publishId: string; msgDataId?: string; raw: WechatPublishSubmitResponse }> {
    requireText(mediaId, 'mediaId');
    const raw = await this.api.call<WechatPublishSubmitResponse>({
      method: 'POST',
      path: PUBLISH_PATHS.submit,
      body: { media_id: mediaId },
      bigIntFields: ['publish_id', 'msg_data_id'],
    });
    const result: { publishId: string; msgDataId?: string; raw: WechatPublishSubmitResponse } = {
      publishId: String(raw.publish_id),
      raw,
    };
    if (raw.msg_data_id !== undefined) result.msgDataId = String(raw.msg_data_id);
    return result;
  }

  /** The state of a publish job (`POST /cgi-bin/freepublish/get`). */
  async get(publishId: string): Promise<WechatPublishJob> {
    requireText(publishId, 'publishId');
    const raw = await this.api.call<WechatPublishGetResponse>({
      method: 'POST',
      path: PUBLISH_PATHS.get,
      body: { publish_id: publishId },
      bigIntFields: ['publish_id'],
    });
    const job: WechatPublishJob = {
      publishId: String(raw.publish_id),
      status: raw.publish_status,
      articleUrls: (raw.article_detail?.item ?? [])
        .slice()
        .sort((a, b) => a.idx - b.idx)
        .map((item) => item.article_url),
      failedIndexes: raw.fail_idx ?? [],
      raw,
    };
    if (raw.article_id !== undefined && raw.article_id !== '') job.articleId = raw.article_id;
    return job;
  }

  /**
   * Deletes a published article (`POST /cgi-bin/freepublish/delete`): all of it, or only the
   * article at `index` (1-based, as WeChat counts here).
   */
  async delete(articleId: string, index?: number): Promise<WechatOkResult> {
    requireText(articleId, 'articleId');
    if (index !== undefined) requireInt(index, 1, 8, 'index');
    const raw = await this.api.call<WechatBaseResponse>({
      method: 'POST',
      path: PUBLISH_PATHS.delete,
      body: index === undefined ? { article_id: articleId } : { article_id: articleId, index },
    });
    return { raw };
  }

  /** A published article's content (`POST /cgi-bin/freepublish/getarticle`). */
  async getArticle(
    articleId: string,
  ): Promise<{ articles: WechatStoredArticle[]; raw: WechatNewsItemResponse }> {
    requireText(articleId, 'articleId');
    const raw = await this.api.call<WechatNewsItemResponse>({
      method: 'POST',
      path: PUBLISH_PATHS.getArticle,
      body: { article_id: articleId },
    });
    return { articles: raw.news_item ?? [], raw };
  }

  /** One page of published articles (`POST /cgi-bin/freepublish/batchget`; count 1–20). */
  async list(page: WechatNewsListPage = {}): Promise<WechatNewsList> {
    const body = listBody(page);
    const raw = await this.api.call<WechatNewsListResponse>({
      method: 'POST',
      path: PUBLISH_PATHS.list,
      body,
    });
    return newsList(raw);
  }
}
