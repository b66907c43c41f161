import type { SignedWechatPush } from '@app/wechat/testing';

/** POSTs a signed push to `<baseUrl>/wechat` as WeChat does; the answer's status and body text. */
export async function deliverPush(
  baseUrl: string,
  push: SignedWechatPush,
): Promise<{ status: number; body: string }> {
  const res = await fetch(`${baseUrl}/wechat?${push.search}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: push.body,
  });
  return { status: res.status, body: await res.text() };
}
