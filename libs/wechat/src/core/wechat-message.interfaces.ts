/**
 * A value of parsed push XML: the text of an element, an element with children (or attributes),
 * or the list of values of a repeated element.
 */
export type WechatXmlValue = string | WechatXmlNode | WechatXmlValue[];

/**
 * An element with children, keyed by tag name exactly as sent. Text mixed with children is under
 * `_`, attributes (never sent by WeChat) under `$`. Created with a null prototype, so tag names
 * such as `__proto__` or `constructor` are ordinary keys.
 */
export interface WechatXmlNode {
  [key: string]: WechatXmlValue;
}

/** Every field of a push's `<xml>` root, as parsed (a null-prototype object). */
export type WechatXmlFields = Readonly<Record<string, WechatXmlValue>>;

/** The `MsgType` of an ordinary user message (protocol.md §4.1). */
export type WechatMessageType =
  'text' | 'image' | 'voice' | 'video' | 'shortvideo' | 'location' | 'link';

/** The `Event` of an event push (`MsgType=event`, protocol.md §4.2). */
export type WechatEventType =
  | 'subscribe'
  | 'unsubscribe'
  | 'SCAN'
  | 'LOCATION'
  | 'CLICK'
  | 'VIEW'
  | 'view_miniprogram'
  | 'scancode_push'
  | 'scancode_waitmsg'
  | 'pic_sysphoto'
  | 'pic_photo_or_album'
  | 'pic_weixin'
  | 'location_select'
  | 'TEMPLATESENDJOBFINISH'
  | 'MASSSENDJOBFINISH'
  | 'subscribe_msg_popup_event'
  | 'subscribe_msg_change_event'
  | 'subscribe_msg_sent_event'
  | 'PUBLISHJOBFINISH';

/**
 * The fields every push has. Field names are WeChat's XML tag names. Values are strings, except
 * `CreateTime` (unix seconds; `0` when absent or not a number). A required field the XML lacks is `''`.
 */
export interface WechatMessageHeader {
  /** The Official Account's original id (`gh_…`). */
  readonly ToUserName: string;
  /** The sender's OpenID. */
  readonly FromUserName: string;
  /** Unix seconds. */
  readonly CreateTime: number;
  /** The message type (`text`, …, or `event`). */
  readonly MsgType: string;
  /** Every field of the push exactly as parsed, including those not typed here. */
  readonly raw: WechatXmlFields;
}

/** The fields of every ordinary user message. */
export interface WechatUserMessageBase<T extends WechatMessageType> extends WechatMessageHeader {
  readonly MsgType: T;
  /** 64-bit message id, kept as a string (read from `MsgId`, or `MsgID` as some docs spell it). */
  readonly MsgId: string;
  /** The id of the article the message was sent from, if any (64-bit, a string). */
  readonly MsgDataId?: string;
  /** The index of that article in its multi-article message, if any. */
  readonly Idx?: string;
}

/** A text message. */
export interface WechatTextMessage extends WechatUserMessageBase<'text'> {
  readonly Content: string;
  /** The id of the customer-service menu item the user tapped, if any. */
  readonly bizmsgmenuid?: string;
}

/** An image message. */
export interface WechatImageMessage extends WechatUserMessageBase<'image'> {
  readonly PicUrl: string;
  readonly MediaId: string;
}

/** A voice message. */
export interface WechatVoiceMessage extends WechatUserMessageBase<'voice'> {
  /** The 8 kHz media id when `Format` is `amr`. */
  readonly MediaId: string;
  /** `amr` or `speex`. */
  readonly Format: string;
  /** A 16 kHz copy of the voice, when sent. */
  readonly MediaId16K?: string;
  /** Speech-to-text result (legacy; only when enabled, often empty). */
  readonly Recognition?: string;
}

/** A video message. */
export interface WechatVideoMessage extends WechatUserMessageBase<'video'> {
  readonly MediaId: string;
  readonly ThumbMediaId: string;
}

/** A short-video message. */
export interface WechatShortVideoMessage extends WechatUserMessageBase<'shortvideo'> {
  readonly MediaId: string;
  readonly ThumbMediaId: string;
}

/** A location message. */
export interface WechatLocationMessage extends WechatUserMessageBase<'location'> {
  /** Latitude. */
  readonly Location_X: string;
  /** Longitude. */
  readonly Location_Y: string;
  /** Map zoom level. */
  readonly Scale: string;
  /** Place description. */
  readonly Label: string;
}

/** A link message. */
export interface WechatLinkMessage extends WechatUserMessageBase<'link'> {
  readonly Title: string;
  readonly Description: string;
  readonly Url: string;
}

/** Any ordinary user message. */
export type WechatUserMessage =
  | WechatTextMessage
  | WechatImageMessage
  | WechatVoiceMessage
  | WechatVideoMessage
  | WechatShortVideoMessage
  | WechatLocationMessage
  | WechatLinkMessage;

/** The fields of every event push. */
export interface WechatEventBase<E extends WechatEventType> extends WechatMessageHeader {
  readonly MsgType: 'event';
  readonly Event: E;
}

/** The user followed the account; via a parametric QR code `EventKey` is `qrscene_<scene>`. */
export interface WechatSubscribeEvent extends WechatEventBase<'subscribe'> {
  /** `qrscene_` + scene value when followed through a parametric QR code. */
  readonly EventKey?: string;
  /** The QR code's ticket when followed through a parametric QR code. */
  readonly Ticket?: string;
}

/** The user unfollowed the account. */
export interface WechatUnsubscribeEvent extends WechatEventBase<'unsubscribe'> {
  /** Usually absent or empty. */
  readonly EventKey?: string;
}

/** An already-following user scanned a parametric QR code. */
export interface WechatScanEvent extends WechatEventBase<'SCAN'> {
  /** The scene value, without the `qrscene_` prefix. */
  readonly EventKey: string;
  readonly Ticket: string;
}

/** The user's reported location. */
export interface WechatLocationEvent extends WechatEventBase<'LOCATION'> {
  readonly Latitude: string;
  readonly Longitude: string;
  readonly Precision: string;
}

/** A click on a `click` menu button. */
export interface WechatClickEvent extends WechatEventBase<'CLICK'> {
  /** The button's key. */
  readonly EventKey: string;
}

/** A click on a `view` (URL) menu button. */
export interface WechatViewEvent extends WechatEventBase<'VIEW'> {
  /** The URL. */
  readonly EventKey: string;
  /** The personalised-menu rule id, if any. */
  readonly MenuId?: string;
}

/** A click on a mini-program menu button. */
export interface WechatViewMiniprogramEvent extends WechatEventBase<'view_miniprogram'> {
  /** The mini-program page path. */
  readonly EventKey: string;
  readonly MenuId?: string;
}

/** What a scan-code menu button scanned. */
export interface WechatScanCodeInfo {
  /** For example `qrcode` or `barcode`. */
  readonly ScanType: string;
  readonly ScanResult: string;
}

/** A scan-code menu button event (`scancode_push` or `scancode_waitmsg`). */
export interface WechatScanCodeEvent<
  E extends 'scancode_push' | 'scancode_waitmsg' = 'scancode_push' | 'scancode_waitmsg',
> extends WechatEventBase<E> {
  readonly EventKey: string;
  readonly ScanCodeInfo: WechatScanCodeInfo;
}

/** One picture sent through a picture menu button. */
export interface WechatPicItem {
  readonly PicMd5Sum: string;
}

/** The pictures sent through a picture menu button. */
export interface WechatSendPicsInfo {
  readonly Count: string;
  /** Always a list, also for a single picture. */
  readonly PicList: readonly WechatPicItem[];
}

/** A picture menu button event (`pic_sysphoto`, `pic_photo_or_album` or `pic_weixin`). */
export interface WechatPicEvent<
  E extends 'pic_sysphoto' | 'pic_photo_or_album' | 'pic_weixin' =
    'pic_sysphoto' | 'pic_photo_or_album' | 'pic_weixin',
> extends WechatEventBase<E> {
  readonly EventKey: string;
  readonly SendPicsInfo: WechatSendPicsInfo;
}

/** The location chosen through a `location_select` menu button. */
export interface WechatSendLocationInfo {
  readonly Location_X: string;
  readonly Location_Y: string;
  readonly Scale: string;
  readonly Label: string;
  /** The point of interest's name, when sent. */
  readonly Poiname?: string;
}

/** A `location_select` menu button event. */
export interface WechatLocationSelectEvent extends WechatEventBase<'location_select'> {
  readonly EventKey: string;
  readonly SendLocationInfo: WechatSendLocationInfo;
}

/** The final result of a template message send. */
export interface WechatTemplateSendJobFinishEvent extends WechatEventBase<'TEMPLATESENDJOBFINISH'> {
  /** The msgid returned by the send call (64-bit, a string; read from `MsgID` or `MsgId`). */
  readonly MsgID: string;
  /** `success`, `failed:user block`, `failed: system failed`, … */
  readonly Status: string;
}

/** The final result of a mass send. */
export interface WechatMassSendJobFinishEvent extends WechatEventBase<'MASSSENDJOBFINISH'> {
  /** The mass send's msg id (64-bit, a string). */
  readonly MsgID: string;
  /** `send success`, `send fail` or `err(NNNNN)`. */
  readonly Status: string;
  readonly TotalCount: string;
  readonly FilterCount: string;
  readonly SentCount: string;
  readonly ErrorCount: string;
  /** The originality check results, as parsed. */
  readonly CopyrightCheckResult?: WechatXmlValue;
  /** The published articles' URLs, as parsed. */
  readonly ArticleUrlResult?: WechatXmlValue;
}

/** One template of a subscribe-message pop-up. */
export interface WechatSubscribeMsgPopupItem {
  readonly TemplateId: string;
  /** `accept` or `reject`. */
  readonly SubscribeStatusString: string;
  /** `1` = H5 page, `2` = article. */
  readonly PopupScene: string;
}

/** The user answered a subscribe-message pop-up. */
export interface WechatSubscribeMsgPopupEvent extends WechatEventBase<'subscribe_msg_popup_event'> {
  readonly SubscribeMsgPopupEvent: { readonly List: readonly WechatSubscribeMsgPopupItem[] };
}

/** One template whose subscription the user changed. */
export interface WechatSubscribeMsgChangeItem {
  readonly TemplateId: string;
  readonly SubscribeStatusString: string;
}

/** The user changed subscribe-message settings. */
export interface WechatSubscribeMsgChangeEvent extends WechatEventBase<'subscribe_msg_change_event'> {
  readonly SubscribeMsgChangeEvent: { readonly List: readonly WechatSubscribeMsgChangeItem[] };
}

/** The result of sending one subscribe message. */
export interface WechatSubscribeMsgSentItem {
  readonly TemplateId: string;
  /** 64-bit, a string. */
  readonly MsgID: string;
  readonly ErrorCode: string;
  readonly ErrorStatus: string;
}

/** Subscribe messages were sent. */
export interface WechatSubscribeMsgSentEvent extends WechatEventBase<'subscribe_msg_sent_event'> {
  readonly SubscribeMsgSentEvent: { readonly List: readonly WechatSubscribeMsgSentItem[] };
}

/** One published article. */
export interface WechatPublishArticleItem {
  readonly idx: string;
  readonly article_url: string;
}

/** The result of a publish job. */
export interface WechatPublishEventInfo {
  readonly publish_id: string;
  /** `0` = success, other values are failures. */
  readonly publish_status: string;
  readonly article_id?: string;
  readonly article_detail?: {
    readonly count: string;
    /** Always a list. */
    readonly item: readonly WechatPublishArticleItem[];
  };
  /** Indexes of the articles that failed the check, when any. */
  readonly fail_idx?: readonly string[];
}

/** A publish job finished. */
export interface WechatPublishJobFinishEvent extends WechatEventBase<'PUBLISHJOBFINISH'> {
  readonly PublishEventInfo: WechatPublishEventInfo;
}

/** Any known event push. */
export type WechatEventMessage =
  | WechatSubscribeEvent
  | WechatUnsubscribeEvent
  | WechatScanEvent
  | WechatLocationEvent
  | WechatClickEvent
  | WechatViewEvent
  | WechatViewMiniprogramEvent
  | WechatScanCodeEvent<'scancode_push'>
  | WechatScanCodeEvent<'scancode_waitmsg'>
  | WechatPicEvent<'pic_sysphoto'>
  | WechatPicEvent<'pic_photo_or_album'>
  | WechatPicEvent<'pic_weixin'>
  | WechatLocationSelectEvent
  | WechatTemplateSendJobFinishEvent
  | WechatMassSendJobFinishEvent
  | WechatSubscribeMsgPopupEvent
  | WechatSubscribeMsgChangeEvent
  | WechatSubscribeMsgSentEvent
  | WechatPublishJobFinishEvent;

/**
 * A push whose `MsgType` (or, for events, `Event`) this library does not know. Nothing is lost:
 * every field is in `raw`; the common ids are copied when present.
 */
export interface UnknownWechatMessage extends WechatMessageHeader {
  readonly MsgType: string;
  readonly Event?: string;
  readonly EventKey?: string;
  readonly MsgId?: string;
  readonly MsgID?: string;
}

/**
 * Any push, discriminated by `MsgType` and, for events, `Event`. Because
 * {@link UnknownWechatMessage} has `MsgType: string`, narrow with {@link isWechatMessageOfType} /
 * {@link isWechatEventOfType} (or {@link WechatMessageOfType} in handler signatures).
 */
export type WechatMessage = WechatUserMessage | WechatEventMessage | UnknownWechatMessage;

/** The message type(s) of `MsgType` `T`, e.g. `WechatMessageOfType<'text'>` is {@link WechatTextMessage}. */
export type WechatMessageOfType<T extends WechatMessageType> = Extract<
  WechatUserMessage,
  { MsgType: T }
>;

/** The event type(s) of `Event` `E`, e.g. `WechatEventOfType<'SCAN'>` is {@link WechatScanEvent}. */
export type WechatEventOfType<E extends WechatEventType> = Extract<
  WechatEventMessage,
  { Event: E }
>;

export {
  WECHAT_EVENT_TYPES,
  WECHAT_MESSAGE_TYPES,
  isUnknownWechatMessage,
  isWechatEvent,
  isWechatEventOfType,
  isWechatMessageOfType,
  isWechatUserMessage,
} from './wechat-message.guards';
