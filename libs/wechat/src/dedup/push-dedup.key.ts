import type { WechatMessage } from '../core/wechat-message.interfaces';

/**
 * The key under which one push is de-duplicated across WeChat's retries (protocol.md §5.3):
 * `MsgId` for messages, `MsgID` for the job-finish events, and sender + time + event + key for
 * other events. `appId` keeps accounts sharing a Redis apart.
 *
 * The push's identity is the key's hash tag (`push:{<appId>:id:<MsgId>}`), so on a Redis Cluster
 * each push has its own slot and pushes spread over every master, while every operation on one
 * push stays in one slot.
 */
export function pushDedupKey(appId: string, message: WechatMessage): string {
  const fields = message as unknown as Record<string, unknown>;
  const msgId = fields.MsgId ?? fields.MsgID;
  if (typeof msgId === 'string' && msgId !== '') return `push:{${appId}:id:${msgId}}`;
  const parts = [
    message.FromUserName,
    message.CreateTime,
    message.MsgType,
    fields.Event,
    fields.EventKey,
  ];
  return `push:{${appId}:ev:${parts.map((part) => (typeof part === 'string' || typeof part === 'number' ? String(part) : '')).join('|')}}`;
}

/**
 * The name the previous version gave the same push's key (`push:<appId>:id:<MsgId>`, no hash
 * tag), read during a rolling deploy so that a retry of a push an older instance handled is not
 * run again; `undefined` for a key not of {@link pushDedupKey}'s form.
 */
export function legacyPushDedupKey(key: string): string | undefined {
  if (!key.startsWith('push:{') || !key.endsWith('}')) return undefined;
  return `push:${key.slice('push:{'.length, -1)}`;
}
