import type { WechatOpenIdPage, WechatOpenIdPageResponse } from './users.interfaces';

/** Turns a raw openid page into its typed form. */
export function openIdPage(raw: WechatOpenIdPageResponse): WechatOpenIdPage {
  const page: WechatOpenIdPage = {
    openIds: raw.data?.openid ?? [],
    nextOpenId: raw.next_openid ?? '',
    raw,
  };
  if (raw.total !== undefined) page.total = raw.total;
  return page;
}

/**
 * Every openid of a paged list, fetched one page at a time as the caller iterates: follows
 * `next_openid` and stops at an empty page, an empty `next_openid`, or (when the answer has a
 * `total`) once `total` openids were seen — so a list of exactly N pages costs N calls.
 */
export async function* openIdsOf(
  fetchPage: (next: string) => Promise<WechatOpenIdPage>,
  startAfter = '',
): AsyncGenerator<string, void, undefined> {
  let next = startAfter;
  let seen = 0;
  for (;;) {
    const page = await fetchPage(next);
    for (const openId of page.openIds) yield openId;
    seen += page.openIds.length;
    if (page.openIds.length === 0 || page.nextOpenId === '') return;
    if (page.total !== undefined && startAfter === '' && seen >= page.total) return;
    next = page.nextOpenId;
  }
}
