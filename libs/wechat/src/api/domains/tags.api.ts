import type { WechatApiCaller } from '../wechat-api.caller';
import type { WechatBaseResponse, WechatOkResult } from '../wechat-api.interfaces';
import {
  chunk,
  requireInt,
  requireMaxBytes,
  requireText,
  requireTextList,
} from './domain-validation';
import { openIdPage, openIdsOf } from './openid-pages';
import type {
  WechatBatchResult,
  WechatOpenIdPageResponse,
  WechatTag,
  WechatTagCreateResponse,
  WechatTagIdListResponse,
  WechatTagListResponse,
} from './users.interfaces';

/** API paths of the tags domain. */
export const TAGS_PATHS = {
  create: '/cgi-bin/tags/create',
  list: '/cgi-bin/tags/get',
  update: '/cgi-bin/tags/update',
  delete: '/cgi-bin/tags/delete',
  members: '/cgi-bin/user/tag/get',
  tag: '/cgi-bin/tags/members/batchtagging',
  untag: '/cgi-bin/tags/members/batchuntagging',
  tagsOf: '/cgi-bin/tags/getidlist',
} as const;

/** Largest number of openids in one (un)tagging call. */
export const MAX_TAGGING_OPENIDS = 50;
/** Longest tag name, in UTF-8 bytes. */
export const MAX_TAG_NAME_BYTES = 30;

const MAX_TAG_ID = 2 ** 31 - 1;

/** `client.tags`: follower tags (≤ 100 per account), their members and a follower's tags. */
export class WechatTagsApi {
  /** @param api the account's token-authenticated request pipeline. */
  constructor(private readonly api: WechatApiCaller) {}

  /** Creates a tag (`POST /cgi-bin/tags/create`; name ≤ 30 bytes, 45157 if taken). */
  async create(name: string): Promise<{ tag: WechatTag; raw: WechatTagCreateResponse }> {
    requireMaxBytes(name, MAX_TAG_NAME_BYTES, 'name');
    const raw = await this.api.call<WechatTagCreateResponse>({
      method: 'POST',
      path: TAGS_PATHS.create,
      body: { tag: { name } },
    });
    return { tag: { id: raw.tag.id, name: raw.tag.name }, raw };
  }

  /** Every tag with its follower count (`GET /cgi-bin/tags/get`). */
  async list(): Promise<{ tags: WechatTag[]; raw: WechatTagListResponse }> {
    const raw = await this.api.call<WechatTagListResponse>({
      method: 'GET',
      path: TAGS_PATHS.list,
    });
    return { tags: raw.tags ?? [], raw };
  }

  /** Renames a tag (`POST /cgi-bin/tags/update`). */
  async update(id: number, name: string): Promise<WechatOkResult> {
    requireInt(id, 0, MAX_TAG_ID, 'id');
    requireMaxBytes(name, MAX_TAG_NAME_BYTES, 'name');
    const raw = await this.api.call<WechatBaseResponse>({
      method: 'POST',
      path: TAGS_PATHS.update,
      body: { tag: { id, name } },
    });
    return { raw };
  }

  /** Deletes a tag (`POST /cgi-bin/tags/delete`). */
  async delete(id: number): Promise<WechatOkResult> {
    requireInt(id, 0, MAX_TAG_ID, 'id');
    const raw = await this.api.call<WechatBaseResponse>({
      method: 'POST',
      path: TAGS_PATHS.delete,
      body: { tag: { id } },
    });
    return { raw };
  }

  /** Every follower with this tag, page by page (`POST /cgi-bin/user/tag/get`). */
  members(tagId: number, startAfter?: string): AsyncGenerator<string, void, undefined> {
    requireInt(tagId, 0, MAX_TAG_ID, 'tagId');
    return openIdsOf(async (next) => {
      const raw = await this.api.call<WechatOpenIdPageResponse>({
        method: 'POST',
        path: TAGS_PATHS.members,
        body: { tagid: tagId, next_openid: next },
      });
      return openIdPage(raw);
    }, startAfter);
  }

  /**
   * Tags followers (`POST …/batchtagging`), 50 openids per call: a longer list is sent in chunks,
   * in order; a failing chunk throws and the later ones are not sent.
   */
  tagUsers(tagId: number, openIds: readonly string[]): Promise<WechatBatchResult> {
    return this.batch(TAGS_PATHS.tag, tagId, openIds);
  }

  /** Untags followers (`POST …/batchuntagging`), chunked like {@link tagUsers}. */
  untagUsers(tagId: number, openIds: readonly string[]): Promise<WechatBatchResult> {
    return this.batch(TAGS_PATHS.untag, tagId, openIds);
  }

  /** The tag ids of one follower (`POST /cgi-bin/tags/getidlist`). */
  async tagsOf(openId: string): Promise<{ tagIds: number[]; raw: WechatTagIdListResponse }> {
    requireText(openId, 'openId');
    const raw = await this.api.call<WechatTagIdListResponse>({
      method: 'POST',
      path: TAGS_PATHS.tagsOf,
      body: { openid: openId },
    });
    return { tagIds: raw.tagid_list ?? [], raw };
  }

  private async batch(
    path: string,
    tagId: number,
    openIds: readonly string[],
  ): Promise<WechatBatchResult> {
    requireInt(tagId, 0, MAX_TAG_ID, 'tagId');
    requireTextList(openIds, 'openIds');
    const raw: WechatBaseResponse[] = [];
    for (const part of chunk(openIds, MAX_TAGGING_OPENIDS)) {
      raw.push(
        await this.api.call<WechatBaseResponse>({
          method: 'POST',
          path,
          body: { openid_list: part, tagid: tagId },
        }),
      );
    }
    return { calls: raw.length, raw };
  }
}
