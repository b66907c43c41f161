import type { WechatApiCaller } from '../wechat-api.caller';
import type { WechatBaseResponse, WechatOkResult } from '../wechat-api.interfaces';
import { chunk, requireMaxChars, requireText, requireTextList } from './domain-validation';
import { openIdPage, openIdsOf } from './openid-pages';
import type {
  WechatBatchResult,
  WechatOpenIdPage,
  WechatOpenIdPageResponse,
} from './users.interfaces';

/** API paths of the followers domain. */
export const USERS_PATHS = {
  list: '/cgi-bin/user/get',
  updateRemark: '/cgi-bin/user/info/updateremark',
  blacklist: '/cgi-bin/tags/members/getblacklist',
  block: '/cgi-bin/tags/members/batchblacklist',
  unblock: '/cgi-bin/tags/members/batchunblacklist',
} as const;

/** Largest number of openids in one blacklist call. */
export const MAX_BLACKLIST_OPENIDS = 20;
/** Longest remark, in characters. */
export const MAX_REMARK_CHARS = 30;

/**
 * `client.users`: the follower list (an async iterator over WeChat's pages), remarks and the
 * blacklist. Profiles stay on `client.getUserInfo` / `client.batchGetUserInfo`.
 */
export class WechatUsersApi {
  /** @param api the account's token-authenticated request pipeline. */
  constructor(private readonly api: WechatApiCaller) {}

  /**
   * Every follower's openid, fetched page by page (≤ 10 000 each) while you iterate:
   * `for await (const openId of client.users.list())`. `startAfter` resumes after an openid.
   */
  list(startAfter?: string): AsyncGenerator<string, void, undefined> {
    return openIdsOf((next) => this.page(next), startAfter);
  }

  /** One page of followers (`GET /cgi-bin/user/get?next_openid=`). */
  async page(nextOpenId = ''): Promise<WechatOpenIdPage> {
    const raw = await this.api.call<WechatOpenIdPageResponse>({
      method: 'GET',
      path: USERS_PATHS.list,
      query: { next_openid: nextOpenId },
    });
    return openIdPage(raw);
  }

  /**
   * Sets a follower's remark (`POST /cgi-bin/user/info/updateremark`; ≤ 30 characters; an empty
   * remark clears it).
   */
  async updateRemark(openId: string, remark: string): Promise<WechatOkResult> {
    requireText(openId, 'openId');
    requireMaxChars(remark, MAX_REMARK_CHARS, 'remark', 0);
    const raw = await this.api.call<WechatBaseResponse>({
      method: 'POST',
      path: USERS_PATHS.updateRemark,
      body: { openid: openId, remark },
    });
    return { raw };
  }

  /** Every blacklisted openid, page by page (`POST …/getblacklist {begin_openid}`). */
  blacklist(startAfter?: string): AsyncGenerator<string, void, undefined> {
    return openIdsOf(async (next) => {
      const raw = await this.api.call<WechatOpenIdPageResponse>({
        method: 'POST',
        path: USERS_PATHS.blacklist,
        body: { begin_openid: next },
      });
      return openIdPage(raw);
    }, startAfter);
  }

  /**
   * Blacklists followers (`POST …/batchblacklist`), 20 openids per call: a longer list is sent in
   * chunks, in order; a failing chunk throws and the later ones are not sent.
   */
  block(openIds: readonly string[]): Promise<WechatBatchResult> {
    return this.batch(USERS_PATHS.block, openIds);
  }

  /** Takes followers off the blacklist (`POST …/batchunblacklist`), chunked like {@link block}. */
  unblock(openIds: readonly string[]): Promise<WechatBatchResult> {
    return this.batch(USERS_PATHS.unblock, openIds);
  }

  private async batch(path: string, openIds: readonly string[]): Promise<WechatBatchResult> {
    requireTextList(openIds, 'openIds');
    const raw: WechatBaseResponse[] = [];
    for (const part of chunk(openIds, MAX_BLACKLIST_OPENIDS)) {
      raw.push(
        await this.api.call<WechatBaseResponse>({
          method: 'POST',
          path,
          body: { openid_list: part },
        }),
      );
    }
    return { calls: raw.length, raw };
  }
}
