import type {
  UnknownWechatMessage,
  WechatEventMessage,
  WechatEventOfType,
  WechatEventType,
  WechatMessage,
  WechatMessageOfType,
  WechatMessageType,
  WechatUserMessage,
} from './wechat-message.interfaces';

/** Every ordinary `MsgType` the parser turns into a typed message. */
export const WECHAT_MESSAGE_TYPES: readonly WechatMessageType[] = Object.freeze([
  'text',
  'image',
  'voice',
  'video',
  'shortvideo',
  'location',
  'link',
] as const satisfies readonly WechatMessageType[]);

/** Every `Event` the parser turns into a typed event. */
export const WECHAT_EVENT_TYPES: readonly WechatEventType[] = Object.freeze([
  'subscribe',
  'unsubscribe',
  'SCAN',
  'LOCATION',
  'CLICK',
  'VIEW',
  'view_miniprogram',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
  'TEMPLATESENDJOBFINISH',
  'MASSSENDJOBFINISH',
  'subscribe_msg_popup_event',
  'subscribe_msg_change_event',
  'subscribe_msg_sent_event',
  'PUBLISHJOBFINISH',
] as const satisfies readonly WechatEventType[]);

const MESSAGE_TYPES: ReadonlySet<string> = new Set(WECHAT_MESSAGE_TYPES);
const EVENT_TYPES: ReadonlySet<string> = new Set(WECHAT_EVENT_TYPES);

/** Whether `MsgType` is one of the known ordinary message types. */
export function isKnownMessageType(msgType: string): msgType is WechatMessageType {
  return MESSAGE_TYPES.has(msgType);
}

/** Whether `Event` is one of the known event types. */
export function isKnownEventType(event: string): event is WechatEventType {
  return EVENT_TYPES.has(event);
}

/** Whether a push is a known event (`MsgType=event` with an `Event` this library types). */
export function isWechatEvent(message: WechatMessage): message is WechatEventMessage {
  const event = (message as { Event?: unknown }).Event;
  return message.MsgType === 'event' && typeof event === 'string' && EVENT_TYPES.has(event);
}

/** Whether a push is a known ordinary user message (text, image, …). */
export function isWechatUserMessage(message: WechatMessage): message is WechatUserMessage {
  return MESSAGE_TYPES.has(message.MsgType);
}

/** Whether a push has an unknown `MsgType`, or is an event with an unknown `Event`. */
export function isUnknownWechatMessage(message: WechatMessage): message is UnknownWechatMessage {
  return !isWechatUserMessage(message) && !isWechatEvent(message);
}

/**
 * Narrows a push to the ordinary message type(s) given.
 *
 * @example
 * ```ts
 * if (isWechatMessageOfType(message, 'text')) console.log(message.Content);
 * ```
 */
export function isWechatMessageOfType<T extends WechatMessageType>(
  message: WechatMessage,
  ...types: T[]
): message is WechatMessageOfType<T> {
  return (types as readonly string[]).includes(message.MsgType) && isWechatUserMessage(message);
}

/**
 * Narrows a push to the event type(s) given.
 *
 * @example
 * ```ts
 * if (isWechatEventOfType(message, 'subscribe', 'SCAN')) console.log(message.EventKey);
 * ```
 */
export function isWechatEventOfType<E extends WechatEventType>(
  message: WechatMessage,
  ...events: E[]
): message is WechatEventOfType<E> {
  return isWechatEvent(message) && (events as readonly string[]).includes(message.Event);
}
