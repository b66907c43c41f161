import {
  bytesOf,
  jsonBody,
  ok,
  requireOpenId,
  SandboxApiError,
  type Json,
  type SandboxAnswer,
  type SandboxDomain,
  type SandboxRequest,
} from './sandbox-request';

/** A tag the sandbox holds. */
export interface FixtureTag {
  readonly id: number;
  readonly name: string;
  /** openids with the tag, in tagging order. */
  readonly members: readonly string[];
}

const PATHS = {
  list: '/cgi-bin/user/get',
  updateRemark: '/cgi-bin/user/info/updateremark',
  tagCreate: '/cgi-bin/tags/create',
  tagList: '/cgi-bin/tags/get',
  tagUpdate: '/cgi-bin/tags/update',
  tagDelete: '/cgi-bin/tags/delete',
  tagMembers: '/cgi-bin/user/tag/get',
  tagging: '/cgi-bin/tags/members/batchtagging',
  untagging: '/cgi-bin/tags/members/batchuntagging',
  tagsOf: '/cgi-bin/tags/getidlist',
  blacklist: '/cgi-bin/tags/members/getblacklist',
  block: '/cgi-bin/tags/members/batchblacklist',
  unblock: '/cgi-bin/tags/members/batchunblacklist',
} as const;

const MAX_TAGS = 100;
const MAX_TAGS_PER_USER = 20;
const FIRST_TAG_ID = 100;

/**
 * Followers, remarks, tags and the blacklist, with WeChat's checks and codes: pages of
 * `pageSize` openids (WeChat: 10 000) following `next_openid` (40003 for an openid not in the
 * list); remark ≤ 30 characters (45065 — the sandbox's choice); tag names ≤ 30 bytes (45158),
 * unique (45157), ≤ 100 tags (45056), unknown id 45159; tagging ≤ 50 openids (40032), ≤ 20 tags a
 * user (45059), openids not following 49003; blacklisting ≤ 20 openids (40032).
 */
export class SandboxFollowers implements SandboxDomain {
  readonly paths: ReadonlySet<string> = new Set(Object.values(PATHS));
  private followers: string[] = [];
  private followerSet = new Set<string>();
  private remarks = new Map<string, string>();
  private tagList: { id: number; name: string; members: string[] }[] = [];
  private blacklisted: string[] = [];
  private nextTagId = FIRST_TAG_ID;

  /** @param pageSize openids per page of the paged lists. */
  constructor(private readonly pageSize: number) {}

  /** Replaces the follower list (in this order). */
  setFollowers(openids: readonly string[]): void {
    this.followers = [...openids];
    this.followerSet = new Set(openids);
  }

  /** The remark of a follower ('' if none). */
  remark(openid: string): string {
    return this.remarks.get(openid) ?? '';
  }

  /** The tags, with their members. */
  get tags(): readonly FixtureTag[] {
    return this.tagList.map((tag) => ({ id: tag.id, name: tag.name, members: [...tag.members] }));
  }

  /** The blacklisted openids, in order. */
  get blacklist(): readonly string[] {
    return [...this.blacklisted];
  }

  /** The tag ids of one follower. */
  tagsOf(openid: string): number[] {
    return this.tagList.filter((tag) => tag.members.includes(openid)).map((tag) => tag.id);
  }

  reset(): void {
    this.followers = [];
    this.followerSet = new Set();
    this.remarks = new Map();
    this.tagList = [];
    this.blacklisted = [];
    this.nextTagId = FIRST_TAG_ID;
  }

  route(request: SandboxRequest): SandboxAnswer {
    const { path } = request;
    if (path === PATHS.list) {
      return this.page(this.followers, request.query.get('next_openid') ?? '', true);
    }
    if (path === PATHS.tagList) {
      return JSON.stringify({
        tags: this.tagList.map((t) => ({ id: t.id, name: t.name, count: t.members.length })),
      });
    }
    const body = jsonBody(request);
    switch (path) {
      case PATHS.updateRemark: {
        const openid = this.follower(body.openid);
        if (typeof body.remark !== 'string' || [...body.remark].length > 30) {
          throw new SandboxApiError(45065, 'invalid remark length');
        }
        this.remarks.set(openid, body.remark);
        return ok();
      }
      case PATHS.tagCreate: {
        const name = this.tagName((body.tag as Json | undefined)?.name);
        if (this.tagList.length >= MAX_TAGS) throw new SandboxApiError(45056, 'too many tags');
        const tag = { id: this.nextTagId++, name, members: [] };
        this.tagList.push(tag);
        return JSON.stringify({ tag: { id: tag.id, name } });
      }
      case PATHS.tagUpdate: {
        const tag = this.tag((body.tag as Json | undefined)?.id);
        const name = (body.tag as Json).name;
        if (name !== tag.name) tag.name = this.tagName(name);
        return ok();
      }
      case PATHS.tagDelete: {
        const tag = this.tag((body.tag as Json | undefined)?.id);
        this.tagList = this.tagList.filter((t) => t !== tag);
        return ok();
      }
      case PATHS.tagMembers:
        return this.page(this.tag(body.tagid).members, stringOr(body.next_openid), false);
      case PATHS.tagging:
      case PATHS.untagging: {
        const tag = this.tag(body.tagid);
        const openids = this.openidList(body.openid_list, 50);
        for (const openid of openids) {
          if (path === PATHS.untagging) {
            tag.members = tag.members.filter((member) => member !== openid);
          } else if (!tag.members.includes(openid)) {
            if (this.tagsOf(openid).length >= MAX_TAGS_PER_USER) {
              throw new SandboxApiError(45059, 'has too many tags');
            }
            tag.members.push(openid);
          }
        }
        return ok();
      }
      case PATHS.tagsOf:
        return JSON.stringify({ tagid_list: this.tagsOf(this.follower(body.openid)) });
      case PATHS.blacklist:
        return this.page(this.blacklisted, stringOr(body.begin_openid), true);
      case PATHS.block:
        for (const openid of this.openidList(body.openid_list, 20)) {
          if (!this.blacklisted.includes(openid)) this.blacklisted.push(openid);
        }
        return ok();
      case PATHS.unblock: {
        const openids = new Set(this.openidList(body.openid_list, 20));
        this.blacklisted = this.blacklisted.filter((openid) => !openids.has(openid));
        return ok();
      }
      default:
        return undefined;
    }
  }

  /** One page after `next` (''= from the start): WeChat's `{ total, count, data, next_openid }`. */
  private page(list: readonly string[], next: string, withTotal: boolean): string {
    let start = 0;
    if (next !== '') {
      const index = list.indexOf(next);
      if (index < 0) throw new SandboxApiError(40003, 'invalid next_openid');
      start = index + 1;
    }
    const openid = list.slice(start, start + this.pageSize);
    const answer: Json = withTotal ? { total: list.length } : {};
    answer.count = openid.length;
    if (openid.length > 0) answer.data = { openid };
    answer.next_openid = openid.length > 0 ? openid[openid.length - 1] : '';
    return JSON.stringify(answer);
  }

  private follower(openid: unknown): string {
    const checked = requireOpenId(openid);
    if (!this.followerSet.has(checked)) throw new SandboxApiError(49003, 'not follower');
    return checked;
  }

  private openidList(list: unknown, max: number): string[] {
    if (!Array.isArray(list) || list.length < 1 || list.length > max) {
      throw new SandboxApiError(40032, 'invalid openid list size');
    }
    return list.map((openid) => this.follower(openid));
  }

  private tagName(name: unknown): string {
    const bytes = bytesOf(name);
    if (bytes < 1 || bytes > 30) throw new SandboxApiError(45158, 'tag name too long');
    if (this.tagList.some((tag) => tag.name === name)) {
      throw new SandboxApiError(45157, 'invalid tag name');
    }
    return name as string;
  }

  private tag(id: unknown): { id: number; name: string; members: string[] } {
    const tag = this.tagList.find((t) => t.id === id);
    if (!tag) throw new SandboxApiError(45159, 'invalid tag id');
    return tag;
  }
}

function stringOr(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
