import { WechatXmlError } from '../errors/wechat-xml.error';
import type {
  UnknownWechatMessage,
  WechatEventMessage,
  WechatEventType,
  WechatMessage,
  WechatMessageHeader,
  WechatMessageType,
  WechatPublishEventInfo,
  WechatUserMessage,
  WechatXmlFields,
  WechatXmlNode,
} from './wechat-message.interfaces';
import { isKnownEventType, isKnownMessageType } from './wechat-message.guards';
import {
  readXmlField,
  readXmlFieldText,
  readXmlNode,
  readXmlNodeList,
  readXmlTextList,
} from './wechat-xml.reader';

/**
 * Builds the typed message from the parsed fields of a push (the result of `parseWechatXml`).
 * Unknown `MsgType` / `Event` values become an {@link UnknownWechatMessage}; a required field the
 * XML lacks is `''` (and `CreateTime` `0`), optional ones are left out. `raw` is `fields` itself.
 *
 * @throws WechatXmlError `MISSING_MSG_TYPE` when `MsgType` is absent or empty.
 */
export function toWechatMessage(fields: WechatXmlFields): WechatMessage {
  const msgType = readXmlFieldText(fields, 'MsgType');
  if (msgType === undefined || msgType === '') {
    throw new WechatXmlError('MISSING_MSG_TYPE', 'The message has no MsgType');
  }
  const header: WechatMessageHeader = {
    ToUserName: text(fields, 'ToUserName'),
    FromUserName: text(fields, 'FromUserName'),
    CreateTime: seconds(readXmlFieldText(fields, 'CreateTime')),
    MsgType: msgType,
    raw: fields,
  };
  if (isKnownMessageType(msgType)) return toUserMessage(msgType, header, fields);
  const event = readXmlFieldText(fields, 'Event');
  if (msgType === 'event' && event !== undefined && isKnownEventType(event)) {
    return toEvent(event, header, fields);
  }
  return withOptional<UnknownWechatMessage>(header, fields, [
    'Event',
    'EventKey',
    'MsgId',
    'MsgID',
  ]);
}

function toUserMessage(
  msgType: WechatMessageType,
  header: WechatMessageHeader,
  fields: WechatXmlFields,
): WechatUserMessage {
  const base = withOptional(
    Object.assign(header, { MsgId: readXmlFieldText(fields, 'MsgId') ?? text(fields, 'MsgID') }),
    fields,
    ['MsgDataId', 'Idx'],
  );
  switch (msgType) {
    case 'text':
      return withOptional(
        Object.assign(base, { MsgType: msgType, Content: text(fields, 'Content') }),
        fields,
        ['bizmsgmenuid'],
      );
    case 'image':
      return Object.assign(base, {
        MsgType: msgType,
        PicUrl: text(fields, 'PicUrl'),
        MediaId: text(fields, 'MediaId'),
      });
    case 'voice':
      return withOptional(
        Object.assign(base, {
          MsgType: msgType,
          MediaId: text(fields, 'MediaId'),
          Format: text(fields, 'Format'),
        }),
        fields,
        ['MediaId16K', 'Recognition'],
      );
    case 'video':
    case 'shortvideo':
      return Object.assign(base, {
        MsgType: msgType,
        MediaId: text(fields, 'MediaId'),
        ThumbMediaId: text(fields, 'ThumbMediaId'),
      });
    case 'location':
      return Object.assign(base, {
        MsgType: msgType,
        Location_X: text(fields, 'Location_X'),
        Location_Y: text(fields, 'Location_Y'),
        Scale: text(fields, 'Scale'),
        Label: text(fields, 'Label'),
      });
    case 'link':
      return Object.assign(base, {
        MsgType: msgType,
        Title: text(fields, 'Title'),
        Description: text(fields, 'Description'),
        Url: text(fields, 'Url'),
      });
  }
}

function toEvent(
  event: WechatEventType,
  header: WechatMessageHeader,
  fields: WechatXmlFields,
): WechatEventMessage {
  const base = Object.assign(header, { MsgType: 'event' as const });
  switch (event) {
    case 'subscribe':
      return withOptional(Object.assign(base, { Event: event }), fields, ['EventKey', 'Ticket']);
    case 'unsubscribe':
      return withOptional(Object.assign(base, { Event: event }), fields, ['EventKey']);
    case 'SCAN':
      return Object.assign(base, {
        Event: event,
        EventKey: text(fields, 'EventKey'),
        Ticket: text(fields, 'Ticket'),
      });
    case 'LOCATION':
      return Object.assign(base, {
        Event: event,
        Latitude: text(fields, 'Latitude'),
        Longitude: text(fields, 'Longitude'),
        Precision: text(fields, 'Precision'),
      });
    case 'CLICK':
      return Object.assign(base, { Event: event, EventKey: text(fields, 'EventKey') });
    case 'VIEW':
    case 'view_miniprogram':
      return withOptional(
        Object.assign(base, { Event: event, EventKey: text(fields, 'EventKey') }),
        fields,
        ['MenuId'],
      );
    case 'scancode_push':
    case 'scancode_waitmsg': {
      const info = readXmlNode(fields, 'ScanCodeInfo') ?? emptyNode();
      return Object.assign(base, {
        Event: event,
        EventKey: text(fields, 'EventKey'),
        ScanCodeInfo: { ScanType: text(info, 'ScanType'), ScanResult: text(info, 'ScanResult') },
      });
    }
    case 'pic_sysphoto':
    case 'pic_photo_or_album':
    case 'pic_weixin': {
      const info = readXmlNode(fields, 'SendPicsInfo') ?? emptyNode();
      const picList = readXmlNode(info, 'PicList') ?? emptyNode();
      return Object.assign(base, {
        Event: event,
        EventKey: text(fields, 'EventKey'),
        SendPicsInfo: {
          Count: text(info, 'Count'),
          PicList: readXmlNodeList(picList, 'item').map((item) => ({
            PicMd5Sum: text(item, 'PicMd5Sum'),
          })),
        },
      });
    }
    case 'location_select': {
      const info = readXmlNode(fields, 'SendLocationInfo') ?? emptyNode();
      return Object.assign(base, {
        Event: event,
        EventKey: text(fields, 'EventKey'),
        SendLocationInfo: withOptional(
          {
            Location_X: text(info, 'Location_X'),
            Location_Y: text(info, 'Location_Y'),
            Scale: text(info, 'Scale'),
            Label: text(info, 'Label'),
          },
          info,
          ['Poiname'],
        ),
      });
    }
    case 'TEMPLATESENDJOBFINISH':
      return Object.assign(base, {
        Event: event,
        MsgID: jobMsgId(fields),
        Status: text(fields, 'Status'),
      });
    case 'MASSSENDJOBFINISH':
      return withOptionalValues(
        Object.assign(base, {
          Event: event,
          MsgID: jobMsgId(fields),
          Status: text(fields, 'Status'),
          TotalCount: text(fields, 'TotalCount'),
          FilterCount: text(fields, 'FilterCount'),
          SentCount: text(fields, 'SentCount'),
          ErrorCount: text(fields, 'ErrorCount'),
        }),
        fields,
        ['CopyrightCheckResult', 'ArticleUrlResult'],
      );
    case 'subscribe_msg_popup_event':
      return Object.assign(base, {
        Event: event,
        SubscribeMsgPopupEvent: {
          List: subscribeList(fields, 'SubscribeMsgPopupEvent').map((item) => ({
            TemplateId: text(item, 'TemplateId'),
            SubscribeStatusString: text(item, 'SubscribeStatusString'),
            PopupScene: text(item, 'PopupScene'),
          })),
        },
      });
    case 'subscribe_msg_change_event':
      return Object.assign(base, {
        Event: event,
        SubscribeMsgChangeEvent: {
          List: subscribeList(fields, 'SubscribeMsgChangeEvent').map((item) => ({
            TemplateId: text(item, 'TemplateId'),
            SubscribeStatusString: text(item, 'SubscribeStatusString'),
          })),
        },
      });
    case 'subscribe_msg_sent_event':
      return Object.assign(base, {
        Event: event,
        SubscribeMsgSentEvent: {
          List: subscribeList(fields, 'SubscribeMsgSentEvent').map((item) => ({
            TemplateId: text(item, 'TemplateId'),
            MsgID: text(item, 'MsgID'),
            ErrorCode: text(item, 'ErrorCode'),
            ErrorStatus: text(item, 'ErrorStatus'),
          })),
        },
      });
    case 'PUBLISHJOBFINISH':
      return Object.assign(base, { Event: event, PublishEventInfo: publishEventInfo(fields) });
  }
}

function publishEventInfo(fields: WechatXmlFields): WechatPublishEventInfo {
  const info = readXmlNode(fields, 'PublishEventInfo') ?? emptyNode();
  const result: WechatPublishEventInfo = withOptional(
    { publish_id: text(info, 'publish_id'), publish_status: text(info, 'publish_status') },
    info,
    ['article_id'],
  );
  const detail = readXmlNode(info, 'article_detail');
  const failIdx = readXmlTextList(info, 'fail_idx');
  return {
    ...result,
    ...(detail && {
      article_detail: {
        count: text(detail, 'count'),
        item: readXmlNodeList(detail, 'item').map((item) => ({
          idx: text(item, 'idx'),
          article_url: text(item, 'article_url'),
        })),
      },
    }),
    ...(failIdx.length > 0 && { fail_idx: failIdx }),
  };
}

/** The `List` entries of a subscribe-message event's container element. */
function subscribeList(fields: WechatXmlFields, container: string): WechatXmlNode[] {
  const node = readXmlNode(fields, container);
  return node ? readXmlNodeList(node, 'List') : [];
}

/** Job-finish events spell the id `MsgID`; accept `MsgId` too. */
function jobMsgId(fields: WechatXmlFields): string {
  return readXmlFieldText(fields, 'MsgID') ?? text(fields, 'MsgId');
}

function text(fields: WechatXmlFields, name: string): string {
  return readXmlFieldText(fields, name) ?? '';
}

/** Unix seconds from a decimal string; `0` when absent or not a number. */
function seconds(value: string | undefined): number {
  if (value === undefined) return 0;
  const parsed = Number(value.trim());
  return Number.isFinite(parsed) ? Math.trunc(parsed) : 0;
}

function emptyNode(): WechatXmlNode {
  return Object.create(null) as WechatXmlNode;
}

/** Copies the text of each named field that is present onto `target`. */
function withOptional<T extends object>(
  target: T,
  fields: WechatXmlFields,
  names: readonly string[],
): T {
  const writable = target as Record<string, unknown>;
  for (const name of names) {
    const value = readXmlFieldText(fields, name);
    if (value !== undefined) writable[name] = value;
  }
  return target;
}

/** Copies each named field that is present onto `target`, as parsed (nested structure kept). */
function withOptionalValues<T extends object>(
  target: T,
  fields: WechatXmlFields,
  names: readonly string[],
): T {
  const writable = target as Record<string, unknown>;
  for (const name of names) {
    const value = readXmlField(fields, name);
    if (value !== undefined) writable[name] = value;
  }
  return target;
}
