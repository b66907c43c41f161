import { WechatValidationError } from '../../errors/wechat-api.error';
import type { WechatApiCaller } from '../wechat-api.caller';
import type { WechatBaseResponse, WechatOkResult } from '../wechat-api.interfaces';
import { requireInt, requireObject, requireText } from './domain-validation';
import type {
  WechatDraftAddResponse,
  WechatDraftArticle,
  WechatDraftCountResponse,
  WechatNewsItemResponse,
  WechatNewsList,
  WechatNewsListPage,
  WechatNewsListResponse,
  WechatStoredArticle,
} from './drafts.interfaces';

/** API paths of the drafts domain. */
export const DRAFTS_PATHS = {
  add: '/cgi-bin/draft/add',
  get: '/cgi-bin/draft/get',
  update: '/cgi-bin/draft/update',
  delete: '/cgi-bin/draft/delete',
  count: '/cgi-bin/draft/count',
  list: '/cgi-bin/draft/batchget',
} as const;

/** Most articles in one draft. */
export const MAX_DRAFT_ARTICLES = 8;

/** Checks one article: title and content present, `thumb_media_id` for a `news` article. */
export function validateArticle(article: WechatDraftArticle, at: string): void {
  requireObject(article, at);
  requireText(article.title, `${at}.title`);
  requireText(article.content, `${at}.content`);
  if ((article.article_type ?? 'news') === 'news') {
    requireText(article.thumb_media_id, `${at}.thumb_media_id`);
  }
}

/** Checks list paging and turns it into WeChat's body. */
export function listBody(page: WechatNewsListPage): Record<string, number> {
  const offset = page.offset ?? 0;
  const count = page.count ?? 20;
  requireInt(offset, 0, Number.MAX_SAFE_INTEGER, 'offset');
  requireInt(count, 1, 20, 'count');
  return { offset, count, no_content: page.noContent ? 1 : 0 };
}

/** A page of drafts or published articles in its typed form. */
export function newsList(raw: WechatNewsListResponse): WechatNewsList {
  return { totalCount: raw.total_count, itemCount: raw.item_count, items: raw.item ?? [], raw };
}

/**
 * `client.drafts`: the draft box, where articles are written before `client.publish.submit`
 * (the retired `add_news` answers 45106).
 */
export class WechatDraftsApi {
  /** @param api the account's token-authenticated request pipeline. */
  constructor(private readonly api: WechatApiCaller) {}

  /**
   * Creates a draft of 1–8 articles (`POST /cgi-bin/draft/add`).
   *
   * @throws WechatValidationError for no or too many articles, or an article without title,
   * content or (for `news`) thumb_media_id.
   */
  async add(
    articles: readonly WechatDraftArticle[],
  ): Promise<{ mediaId: string; raw: WechatDraftAddResponse }> {
    if (!Array.isArray(articles) || articles.length < 1 || articles.length > MAX_DRAFT_ARTICLES) {
      throw new WechatValidationError(
        'articles',
        `a draft has 1 to ${MAX_DRAFT_ARTICLES} articles (got ${Array.isArray(articles) ? articles.length : typeof articles}).`,
      );
    }
    (articles as readonly WechatDraftArticle[]).forEach((article, index) =>
      validateArticle(article, `articles[${index}]`),
    );
    const raw = await this.api.call<WechatDraftAddResponse>({
      method: 'POST',
      path: DRAFTS_PATHS.add,
      body: { articles },
    });
    return { mediaId: raw.media_id, raw };
  }

  /** A draft's articles (`POST /cgi-bin/draft/get`). */
  async get(
    mediaId: string,
  ): Promise<{ articles: WechatStoredArticle[]; raw: WechatNewsItemResponse }> {
    requireText(mediaId, 'mediaId');
    const raw = await this.api.call<WechatNewsItemResponse>({
      method: 'POST',
      path: DRAFTS_PATHS.get,
      body: { media_id: mediaId },
    });
    return { articles: raw.news_item ?? [], raw };
  }

  /** Replaces the article at `index` (0-based) of a draft (`POST /cgi-bin/draft/update`). */
  async update(
    mediaId: string,
    index: number,
    article: WechatDraftArticle,
  ): Promise<WechatOkResult> {
    requireText(mediaId, 'mediaId');
    requireInt(index, 0, MAX_DRAFT_ARTICLES - 1, 'index');
    validateArticle(article, 'article');
    const raw = await this.api.call<WechatBaseResponse>({
      method: 'POST',
      path: DRAFTS_PATHS.update,
      body: { media_id: mediaId, index, articles: article },
    });
    return { raw };
  }

  /** Deletes a draft (`POST /cgi-bin/draft/delete`). */
  async delete(mediaId: string): Promise<WechatOkResult> {
    requireText(mediaId, 'mediaId');
    const raw = await this.api.call<WechatBaseResponse>({
      method: 'POST',
      path: DRAFTS_PATHS.delete,
      body: { media_id: mediaId },
    });
    return { raw };
  }

  /** How many drafts exist (`GET /cgi-bin/draft/count`). */
  async count(): Promise<{ total: number; raw: WechatDraftCountResponse }> {
    const raw = await this.api.call<WechatDraftCountResponse>({
      method: 'GET',
      path: DRAFTS_PATHS.count,
    });
    return { total: raw.total_count, raw };
  }

  /** One page of drafts (`POST /cgi-bin/draft/batchget`; count 1–20). */
  async list(page: WechatNewsListPage = {}): Promise<WechatNewsList> {
    const body = listBody(page);
    const raw = await this.api.call<WechatNewsListResponse>({
      method: 'POST',
      path: DRAFTS_PATHS.list,
      body,
    });
    return newsList(raw);
  }
}
