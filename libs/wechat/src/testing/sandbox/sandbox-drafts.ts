import { randomBytes } from 'node:crypto';
import {
  jsonBody,
  ok,
  paging,
  SandboxApiError,
  type Json,
  type SandboxAnswer,
  type SandboxDomain,
  type SandboxRequest,
} from './sandbox-request';

/** A publish job the sandbox ran (it finishes at once, successfully). */
export interface FixturePublication {
  readonly publishId: string;
  readonly msgDataId: string;
  readonly articleId: string;
  /** The draft's articles as published (deleted ones become `is_deleted: true`). */
  readonly articles: readonly Json[];
}

const PATHS = {
  add: '/cgi-bin/draft/add',
  get: '/cgi-bin/draft/get',
  update: '/cgi-bin/draft/update',
  delete: '/cgi-bin/draft/delete',
  count: '/cgi-bin/draft/count',
  list: '/cgi-bin/draft/batchget',
  submit: '/cgi-bin/freepublish/submit',
  publishGet: '/cgi-bin/freepublish/get',
  publishDelete: '/cgi-bin/freepublish/delete',
  getArticle: '/cgi-bin/freepublish/getarticle',
  publishList: '/cgi-bin/freepublish/batchget',
  addNews: '/cgi-bin/material/add_news',
} as const;

/**
 * Drafts and publishing, with WeChat's checks: 1–8 articles (40007 — the sandbox's choice — for
 * none), each with a title (44003), content (44004) and, for `news`, a permanent thumb (40007);
 * unknown media / publish / article ids 40007 / 53600 / 53600; update index out of range 53604.
 * A submitted draft is published at once (status 0) and leaves the draft box, like WeChat's.
 * The retired `material/add_news` answers 45106.
 */
export class SandboxDrafts implements SandboxDomain {
  readonly paths: ReadonlySet<string> = new Set(Object.values(PATHS));
  private draftMap = new Map<string, { articles: Json[]; updateTime: number }>();
  private publications: (FixturePublication & { articles: Json[] })[] = [];
  private seq = 0;
  private nextPublishId = 2n ** 53n + 11n;

  /** @param isPermanent whether a media id is permanent material (for thumbs). */
  constructor(private readonly isPermanent: (mediaId: unknown) => boolean) {}

  /** A draft's articles as stored. */
  draft(mediaId: string): Json[] | undefined {
    const draft = this.draftMap.get(mediaId);
    return draft ? structuredClone(draft.articles) : undefined;
  }

  /** Every publish job, oldest first. */
  get published(): readonly FixturePublication[] {
    return structuredClone(this.publications);
  }

  reset(): void {
    this.draftMap = new Map();
    this.publications = [];
    this.seq = 0;
    this.nextPublishId = 2n ** 53n + 11n;
  }

  route(request: SandboxRequest): SandboxAnswer {
    if (request.path === PATHS.addNews) {
      throw new SandboxApiError(45106, 'This API has been unsupported');
    }
    if (request.path === PATHS.count) return JSON.stringify({ total_count: this.draftMap.size });
    const body = jsonBody(request);
    switch (request.path) {
      case PATHS.add: {
        const articles = body.articles;
        if (!Array.isArray(articles) || articles.length < 1 || articles.length > 8) {
          throw new SandboxApiError(40007, 'invalid articles size');
        }
        const stored = articles.map((article) => this.checkArticle(article));
        this.seq++;
        const mediaId = `D${String(this.seq).padStart(4, '0')}_${randomBytes(18).toString('base64url')}`;
        this.draftMap.set(mediaId, { articles: stored, updateTime: now() });
        return JSON.stringify({ media_id: mediaId });
      }
      case PATHS.get:
        return JSON.stringify({ news_item: this.draftOf(body.media_id).articles });
      case PATHS.update: {
        const draft = this.draftOf(body.media_id);
        const index = body.index;
        if (
          !Number.isInteger(index) ||
          (index as number) < 0 ||
          (index as number) >= draft.articles.length
        ) {
          throw new SandboxApiError(53604, 'invalid index');
        }
        draft.articles[index as number] = this.checkArticle(body.articles);
        draft.updateTime = now();
        return ok();
      }
      case PATHS.delete:
        this.draftOf(body.media_id);
        this.draftMap.delete(body.media_id as string);
        return ok();
      case PATHS.list: {
        const { offset, count } = paging(body);
        const all = [...this.draftMap.entries()];
        const item = all.slice(offset, offset + count).map(([mediaId, draft]) => ({
          media_id: mediaId,
          content: {
            news_item: body.no_content === 1 ? draft.articles.map(withoutContent) : draft.articles,
            create_time: draft.updateTime,
            update_time: draft.updateTime,
          },
          update_time: draft.updateTime,
        }));
        return JSON.stringify({ total_count: all.length, item_count: item.length, item });
      }
      case PATHS.submit: {
        const draft = this.draftOf(body.media_id);
        this.draftMap.delete(body.media_id as string);
        const publishId = (this.nextPublishId++).toString();
        const publication = {
          publishId,
          msgDataId: (2n ** 53n + 100n + BigInt(this.publications.length)).toString(),
          articleId: `A_${randomBytes(12).toString('base64url')}`,
          articles: draft.articles.map((article, idx) => ({
            ...article,
            url: `http://mp.weixin.qq.com/s/sandbox_${publishId}_${idx + 1}`,
            is_deleted: false,
          })),
        };
        this.publications.push(publication);
        return `{"errcode":0,"errmsg":"ok","publish_id":${publishId},"msg_data_id":${publication.msgDataId}}`;
      }
      case PATHS.publishGet: {
        const publication = this.publications.find((p) => p.publishId === String(body.publish_id));
        if (!publication) throw new SandboxApiError(53600, 'invalid publish_id');
        return (
          `{"publish_id":${publication.publishId},"publish_status":0,` +
          `"article_id":${JSON.stringify(publication.articleId)},` +
          `"article_detail":${JSON.stringify({
            count: publication.articles.length,
            item: publication.articles.map((a, i) => ({ idx: i + 1, article_url: a.url })),
          })},"fail_idx":[]}`
        );
      }
      case PATHS.publishDelete: {
        const publication = this.publicationOf(body.article_id);
        const index = body.index;
        if (index === undefined || index === 0) {
          for (const article of publication.articles) article.is_deleted = true;
        } else if (
          !Number.isInteger(index) ||
          (index as number) < 1 ||
          (index as number) > publication.articles.length
        ) {
          throw new SandboxApiError(53604, 'invalid index');
        } else {
          publication.articles[(index as number) - 1].is_deleted = true;
        }
        return ok();
      }
      case PATHS.getArticle:
        return JSON.stringify({ news_item: this.publicationOf(body.article_id).articles });
      case PATHS.publishList: {
        const { offset, count } = paging(body);
        const live = this.publications.filter((p) => p.articles.some((a) => !a.is_deleted));
        const item = live.slice(offset, offset + count).map((p) => ({
          article_id: p.articleId,
          content: {
            news_item: body.no_content === 1 ? p.articles.map(withoutContent) : p.articles,
          },
          update_time: 1_700_000_000,
        }));
        return JSON.stringify({ total_count: live.length, item_count: item.length, item });
      }
      default:
        return undefined;
    }
  }

  private checkArticle(value: unknown): Json {
    const article = (value ?? {}) as Json;
    if (typeof article.title !== 'string' || article.title === '') {
      throw new SandboxApiError(44003, 'empty news data: title');
    }
    if (typeof article.content !== 'string' || article.content === '') {
      throw new SandboxApiError(44004, 'empty content');
    }
    if ((article.article_type ?? 'news') === 'news' && !this.isPermanent(article.thumb_media_id)) {
      throw new SandboxApiError(40007, 'invalid media_id: thumb_media_id');
    }
    return structuredClone(article);
  }

  private draftOf(mediaId: unknown): { articles: Json[]; updateTime: number } {
    const draft = typeof mediaId === 'string' ? this.draftMap.get(mediaId) : undefined;
    if (!draft) throw new SandboxApiError(40007, 'invalid media_id');
    return draft;
  }

  private publicationOf(articleId: unknown): FixturePublication & { articles: Json[] } {
    const publication = this.publications.find((p) => p.articleId === articleId);
    if (!publication) throw new SandboxApiError(53600, 'invalid article_id');
    return publication;
  }
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

function withoutContent(article: Json): Json {
  const copy = { ...article };
  delete copy.content;
  return copy;
}
