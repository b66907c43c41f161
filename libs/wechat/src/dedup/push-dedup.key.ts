import type { WechatMessage } from '../core/wechat-message.interfaces';

/**
 * The key under which one push is de-duplicated across WeChat's retries (protocol.md §5.3):
 * `MsgId` for messages, `MsgID` for the job-finish events, and sender + time + event + key for
 * other events. `appId` keeps accounts sharing a Redis apart.
 */
export function pushDedupKey(appId: string, message: WechatMessage): string {
  const fields = message as unknown as Record<string, unknown>;
  const msgId = fields.MsgId ?? fields.MsgID;
  if (typeof msgId === 'string' && msgId !== '') return `push:${appId}:id:${msgId}`;
  const parts = [
    message.FromUserName,
    message.CreateTime,
    message.MsgType,
    fields.Event,
    fields.EventKey,
  ];
  return `push:${appId}:ev:${parts.map((part) => (typeof part === 'string' || typeof part === 'number' ? String(part) : '')).join('|')}`;
}
