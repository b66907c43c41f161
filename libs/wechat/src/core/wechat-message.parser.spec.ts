import { WechatXmlError, type WechatXmlErrorReason } from '../errors/wechat-xml.error';
import type { WechatMessage, WechatXmlFields, WechatXmlNode } from './wechat-message.interfaces';
import {
  isUnknownWechatMessage,
  isWechatEvent,
  isWechatEventOfType,
  isWechatMessageOfType,
  isWechatUserMessage,
} from './wechat-message.guards';
import {
  DEFAULT_MAX_XML_BYTES,
  hasEncryptElement,
  parseEncryptedEnvelope,
  parseWechatMessage,
  parseWechatXml,
} from './wechat-message.parser';

const ACCOUNT = 'gh_97417a04a28d';
const OPENID = 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY';
const TIME = 1714112445;

/** A push in WeChat's usual form: strings in CDATA, numbers bare. */
function push(msgType: string, body: string): string {
  return (
    `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName>` +
    `<FromUserName><![CDATA[${OPENID}]]></FromUserName>` +
    `<CreateTime>${TIME}</CreateTime><MsgType><![CDATA[${msgType}]]></MsgType>${body}</xml>`
  );
}

function event(name: string, body = ''): string {
  return push('event', `<Event><![CDATA[${name}]]></Event>${body}`);
}

/** The same document with every CDATA section replaced by escaped plain text. */
function plain(xml: string): string {
  return xml.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_match, text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  );
}

const header = { ToUserName: ACCOUNT, FromUserName: OPENID, CreateTime: TIME };

/** [name, xml, expected typed fields (without raw)] for every message and event of §4. */
const FIXTURES: ReadonlyArray<readonly [string, string, Record<string, unknown>]> = [
  [
    'text',
    push(
      'text',
      '<Content><![CDATA[你好 <world> & "friends"]]></Content><MsgId>23456789012345678901</MsgId>' +
        '<MsgDataId>2247483650</MsgDataId><Idx>1</Idx><bizmsgmenuid>101</bizmsgmenuid>',
    ),
    {
      ...header,
      MsgType: 'text',
      Content: '你好 <world> & "friends"',
      MsgId: '23456789012345678901',
      MsgDataId: '2247483650',
      Idx: '1',
      bizmsgmenuid: '101',
    },
  ],
  [
    'text (minimal)',
    push('text', '<Content><![CDATA[hi]]></Content><MsgId>1234567890123456</MsgId>'),
    { ...header, MsgType: 'text', Content: 'hi', MsgId: '1234567890123456' },
  ],
  [
    'image',
    push(
      'image',
      '<PicUrl><![CDATA[http://mmbiz.qpic.cn/x?a=1&b=2]]></PicUrl><MediaId><![CDATA[media_id]]></MediaId>' +
        '<MsgId>1234567890123456</MsgId>',
    ),
    {
      ...header,
      MsgType: 'image',
      PicUrl: 'http://mmbiz.qpic.cn/x?a=1&b=2',
      MediaId: 'media_id',
      MsgId: '1234567890123456',
    },
  ],
  [
    'voice',
    push(
      'voice',
      '<MediaId><![CDATA[media_id]]></MediaId><Format><![CDATA[amr]]></Format>' +
        '<MediaId16K><![CDATA[media_id_16k]]></MediaId16K><Recognition><![CDATA[]]></Recognition>' +
        '<MsgId>1234567890123456</MsgId>',
    ),
    {
      ...header,
      MsgType: 'voice',
      MediaId: 'media_id',
      Format: 'amr',
      MediaId16K: 'media_id_16k',
      Recognition: '',
      MsgId: '1234567890123456',
    },
  ],
  [
    'video',
    push(
      'video',
      '<MediaId><![CDATA[media_id]]></MediaId><ThumbMediaId><![CDATA[thumb_media_id]]></ThumbMediaId>' +
        '<MsgId>1234567890123456</MsgId>',
    ),
    {
      ...header,
      MsgType: 'video',
      MediaId: 'media_id',
      ThumbMediaId: 'thumb_media_id',
      MsgId: '1234567890123456',
    },
  ],
  [
    'shortvideo',
    push(
      'shortvideo',
      '<MediaId><![CDATA[media_id]]></MediaId><ThumbMediaId><![CDATA[thumb_media_id]]></ThumbMediaId>' +
        '<MsgId>1234567890123456</MsgId>',
    ),
    {
      ...header,
      MsgType: 'shortvideo',
      MediaId: 'media_id',
      ThumbMediaId: 'thumb_media_id',
      MsgId: '1234567890123456',
    },
  ],
  [
    'location',
    push(
      'location',
      '<Location_X>23.134521</Location_X><Location_Y>113.358803</Location_Y><Scale>20</Scale>' +
        '<Label><![CDATA[位置信息]]></Label><MsgId>1234567890123456</MsgId>',
    ),
    {
      ...header,
      MsgType: 'location',
      Location_X: '23.134521',
      Location_Y: '113.358803',
      Scale: '20',
      Label: '位置信息',
      MsgId: '1234567890123456',
    },
  ],
  [
    'link',
    push(
      'link',
      '<Title><![CDATA[公众平台官网链接]]></Title><Description><![CDATA[公众平台官网链接]]></Description>' +
        '<Url><![CDATA[https://mp.weixin.qq.com]]></Url><MsgId>1234567890123456</MsgId>',
    ),
    {
      ...header,
      MsgType: 'link',
      Title: '公众平台官网链接',
      Description: '公众平台官网链接',
      Url: 'https://mp.weixin.qq.com',
      MsgId: '1234567890123456',
    },
  ],
  ['subscribe', event('subscribe'), { ...header, MsgType: 'event', Event: 'subscribe' }],
  [
    'subscribe via QR code',
    event(
      'subscribe',
      '<EventKey><![CDATA[qrscene_123123]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'subscribe',
      EventKey: 'qrscene_123123',
      Ticket: 'TICKET',
    },
  ],
  ['unsubscribe', event('unsubscribe'), { ...header, MsgType: 'event', Event: 'unsubscribe' }],
  [
    'SCAN',
    event('SCAN', '<EventKey><![CDATA[123123]]></EventKey><Ticket><![CDATA[TICKET]]></Ticket>'),
    { ...header, MsgType: 'event', Event: 'SCAN', EventKey: '123123', Ticket: 'TICKET' },
  ],
  [
    'LOCATION',
    event(
      'LOCATION',
      '<Latitude>23.137466</Latitude><Longitude>113.352425</Longitude><Precision>119.385040</Precision>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'LOCATION',
      Latitude: '23.137466',
      Longitude: '113.352425',
      Precision: '119.385040',
    },
  ],
  [
    'CLICK',
    event('CLICK', '<EventKey><![CDATA[EVENTKEY]]></EventKey>'),
    { ...header, MsgType: 'event', Event: 'CLICK', EventKey: 'EVENTKEY' },
  ],
  [
    'VIEW',
    event('VIEW', '<EventKey><![CDATA[www.qq.com]]></EventKey><MenuId>MENUID</MenuId>'),
    { ...header, MsgType: 'event', Event: 'VIEW', EventKey: 'www.qq.com', MenuId: 'MENUID' },
  ],
  [
    'view_miniprogram',
    event(
      'view_miniprogram',
      '<EventKey><![CDATA[pages/index/index]]></EventKey><MenuId>7</MenuId>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'view_miniprogram',
      EventKey: 'pages/index/index',
      MenuId: '7',
    },
  ],
  [
    'scancode_push',
    event(
      'scancode_push',
      '<EventKey><![CDATA[6]]></EventKey><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType>' +
        '<ScanResult><![CDATA[1]]></ScanResult></ScanCodeInfo>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'scancode_push',
      EventKey: '6',
      ScanCodeInfo: { ScanType: 'qrcode', ScanResult: '1' },
    },
  ],
  [
    'scancode_waitmsg',
    event(
      'scancode_waitmsg',
      '<EventKey><![CDATA[6]]></EventKey><ScanCodeInfo><ScanType><![CDATA[barcode]]></ScanType>' +
        '<ScanResult><![CDATA[EAN_13,6901234567892]]></ScanResult></ScanCodeInfo>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'scancode_waitmsg',
      EventKey: '6',
      ScanCodeInfo: { ScanType: 'barcode', ScanResult: 'EAN_13,6901234567892' },
    },
  ],
  [
    'pic_sysphoto (one picture)',
    event(
      'pic_sysphoto',
      '<EventKey><![CDATA[6]]></EventKey><SendPicsInfo><Count>1</Count><PicList><item>' +
        '<PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]></PicMd5Sum></item></PicList></SendPicsInfo>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'pic_sysphoto',
      EventKey: '6',
      SendPicsInfo: { Count: '1', PicList: [{ PicMd5Sum: '1b5f7c23b5bf75682a53e7b6d163e185' }] },
    },
  ],
  [
    'pic_photo_or_album (two pictures)',
    event(
      'pic_photo_or_album',
      '<EventKey><![CDATA[6]]></EventKey><SendPicsInfo><Count>2</Count><PicList>' +
        '<item><PicMd5Sum><![CDATA[aaa]]></PicMd5Sum></item>' +
        '<item><PicMd5Sum><![CDATA[bbb]]></PicMd5Sum></item></PicList></SendPicsInfo>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'pic_photo_or_album',
      EventKey: '6',
      SendPicsInfo: { Count: '2', PicList: [{ PicMd5Sum: 'aaa' }, { PicMd5Sum: 'bbb' }] },
    },
  ],
  [
    'pic_weixin (no pictures)',
    event(
      'pic_weixin',
      '<EventKey><![CDATA[6]]></EventKey><SendPicsInfo><Count>0</Count><PicList></PicList></SendPicsInfo>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'pic_weixin',
      EventKey: '6',
      SendPicsInfo: { Count: '0', PicList: [] },
    },
  ],
  [
    'location_select',
    event(
      'location_select',
      '<EventKey><![CDATA[6]]></EventKey><SendLocationInfo><Location_X><![CDATA[23]]></Location_X>' +
        '<Location_Y><![CDATA[113]]></Location_Y><Scale><![CDATA[15]]></Scale>' +
        '<Label><![CDATA[ 广州市海珠区客村艺苑路 106号]]></Label><Poiname><![CDATA[]]></Poiname>' +
        '</SendLocationInfo>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'location_select',
      EventKey: '6',
      SendLocationInfo: {
        Location_X: '23',
        Location_Y: '113',
        Scale: '15',
        Label: ' 广州市海珠区客村艺苑路 106号',
        Poiname: '',
      },
    },
  ],
  [
    'TEMPLATESENDJOBFINISH',
    event(
      'TEMPLATESENDJOBFINISH',
      '<MsgID>200163836</MsgID><Status><![CDATA[failed: system failed]]></Status>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'TEMPLATESENDJOBFINISH',
      MsgID: '200163836',
      Status: 'failed: system failed',
    },
  ],
  [
    'subscribe_msg_popup_event',
    event(
      'subscribe_msg_popup_event',
      '<SubscribeMsgPopupEvent><List><TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId>' +
        '<SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString><PopupScene>2</PopupScene></List>' +
        '<List><TemplateId><![CDATA[9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI]]></TemplateId>' +
        '<SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString><PopupScene>2</PopupScene></List>' +
        '</SubscribeMsgPopupEvent>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'subscribe_msg_popup_event',
      SubscribeMsgPopupEvent: {
        List: [
          {
            TemplateId: 'VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc',
            SubscribeStatusString: 'accept',
            PopupScene: '2',
          },
          {
            TemplateId: '9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI',
            SubscribeStatusString: 'reject',
            PopupScene: '2',
          },
        ],
      },
    },
  ],
  [
    'subscribe_msg_change_event',
    event(
      'subscribe_msg_change_event',
      '<SubscribeMsgChangeEvent><List><TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId>' +
        '<SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString></List></SubscribeMsgChangeEvent>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'subscribe_msg_change_event',
      SubscribeMsgChangeEvent: {
        List: [
          {
            TemplateId: 'VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc',
            SubscribeStatusString: 'reject',
          },
        ],
      },
    },
  ],
  [
    'subscribe_msg_sent_event',
    event(
      'subscribe_msg_sent_event',
      '<SubscribeMsgSentEvent><List><TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId>' +
        '<MsgID>1700827132819554304</MsgID><ErrorCode>0</ErrorCode>' +
        '<ErrorStatus><![CDATA[success]]></ErrorStatus></List></SubscribeMsgSentEvent>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'subscribe_msg_sent_event',
      SubscribeMsgSentEvent: {
        List: [
          {
            TemplateId: 'VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc',
            MsgID: '1700827132819554304',
            ErrorCode: '0',
            ErrorStatus: 'success',
          },
        ],
      },
    },
  ],
  [
    'PUBLISHJOBFINISH (published)',
    event(
      'PUBLISHJOBFINISH',
      '\n<PublishEventInfo>\n<publish_id>2247503051</publish_id>\n<publish_status>0</publish_status>\n' +
        '<article_id><![CDATA[b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4]]></article_id>\n' +
        '<article_detail>\n<count>1</count>\n<item>\n<idx>1</idx>\n' +
        '<article_url><![CDATA[ARTICLE_URL]]></article_url>\n</item>\n</article_detail>\n' +
        '</PublishEventInfo>\n',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'PUBLISHJOBFINISH',
      PublishEventInfo: {
        publish_id: '2247503051',
        publish_status: '0',
        article_id: 'b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4',
        article_detail: { count: '1', item: [{ idx: '1', article_url: 'ARTICLE_URL' }] },
      },
    },
  ],
  [
    'PUBLISHJOBFINISH (failed check)',
    event(
      'PUBLISHJOBFINISH',
      '<PublishEventInfo><publish_id>2247503051</publish_id><publish_status>2</publish_status>' +
        '<fail_idx>1</fail_idx><fail_idx>2</fail_idx></PublishEventInfo>',
    ),
    {
      ...header,
      MsgType: 'event',
      Event: 'PUBLISHJOBFINISH',
      PublishEventInfo: { publish_id: '2247503051', publish_status: '2', fail_idx: ['1', '2'] },
    },
  ],
];

function typed(message: WechatMessage): Record<string, unknown> {
  const { raw, ...rest } = message;
  expect(Object.getPrototypeOf(raw)).toBeNull();
  return rest;
}

async function reasonOf(action: () => Promise<unknown>): Promise<WechatXmlErrorReason> {
  try {
    await action();
  } catch (error: unknown) {
    if (error instanceof WechatXmlError) return error.reason;
    throw error;
  }
  throw new Error('expected a WechatXmlError, nothing was thrown');
}

describe('parseWechatMessage', () => {
  describe.each([
    ['CDATA values', (xml: string) => xml],
    ['plain values', plain],
  ])('with %s', (_form, render) => {
    it.each(FIXTURES)(
      '%s parses into its typed member field by field',
      async (_name, xml, expected) => {
        const message = await parseWechatMessage(render(xml));
        expect(typed(message)).toStrictEqual(expected);
      },
    );
  });

  it('renders the plain form without CDATA (fixture sanity)', () => {
    expect(plain(FIXTURES[0][1])).not.toContain('CDATA');
    expect(plain(FIXTURES[0][1])).toContain('你好 &lt;world&gt; &amp; "friends"');
  });

  it('accepts a Buffer', async () => {
    const message = await parseWechatMessage(Buffer.from(FIXTURES[0][1], 'utf8'));
    expect(typed(message)).toStrictEqual(FIXTURES[0][2]);
  });

  it('keeps every field in raw, exactly as parsed', async () => {
    const message = await parseWechatMessage(FIXTURES[0][1]);
    expect({ ...message.raw }).toStrictEqual({
      ToUserName: ACCOUNT,
      FromUserName: OPENID,
      CreateTime: String(TIME),
      MsgType: 'text',
      Content: '你好 <world> & "friends"',
      MsgId: '23456789012345678901',
      MsgDataId: '2247483650',
      Idx: '1',
      bizmsgmenuid: '101',
    });
  });

  it('keeps a 64-bit id as the exact string', async () => {
    const message = await parseWechatMessage(
      push('text', '<Content>x</Content><MsgId>23456789012345678901</MsgId>'),
    );
    expect(isWechatMessageOfType(message, 'text') && message.MsgId).toBe('23456789012345678901');
    expect(Number('23456789012345678901').toString()).not.toBe('23456789012345678901');
  });

  it('reads MsgID (capital D) as MsgId on a user message', async () => {
    const message = await parseWechatMessage(
      push('voice', '<MediaId>m</MediaId><Format>amr</Format><MsgID>6001</MsgID>'),
    );
    expect(isWechatMessageOfType(message, 'voice') && message.MsgId).toBe('6001');
  });

  it('reads MsgId (lower-case d) as MsgID on a job-finish event', async () => {
    const message = await parseWechatMessage(
      event('TEMPLATESENDJOBFINISH', '<MsgId>200163840</MsgId><Status>success</Status>'),
    );
    expect(isWechatEventOfType(message, 'TEMPLATESENDJOBFINISH') && message.MsgID).toBe(
      '200163840',
    );
  });

  it('keeps the nested results of MASSSENDJOBFINISH as parsed objects', async () => {
    const xml = event(
      'MASSSENDJOBFINISH',
      '\n<MsgID>1000001625</MsgID>\n<Status><![CDATA[err(30003)]]></Status>\n<TotalCount>0</TotalCount>\n' +
        '<FilterCount>0</FilterCount>\n<SentCount>0</SentCount>\n<ErrorCount>0</ErrorCount>\n' +
        '<CopyrightCheckResult>\n<Count>2</Count>\n<ResultList>\n<item>\n<ArticleIdx>1</ArticleIdx>\n' +
        '<UserDeclareState>0</UserDeclareState>\n<AuditState>2</AuditState>\n' +
        '<OriginalArticleUrl><![CDATA[Url_1]]></OriginalArticleUrl>\n</item>\n<item>\n' +
        '<ArticleIdx>2</ArticleIdx>\n<UserDeclareState>0</UserDeclareState>\n<AuditState>2</AuditState>\n' +
        '<OriginalArticleUrl><![CDATA[Url_2]]></OriginalArticleUrl>\n</item>\n</ResultList>\n' +
        '<CheckState>2</CheckState>\n</CopyrightCheckResult>\n<ArticleUrlResult>\n<Count>1</Count>\n' +
        '<ResultList>\n<item>\n<ArticleIdx>1</ArticleIdx>\n<ArticleUrl><![CDATA[Url]]></ArticleUrl>\n' +
        '</item>\n</ResultList>\n</ArticleUrlResult>\n',
    );
    for (const form of [xml, plain(xml)]) {
      const message = await parseWechatMessage(form);
      if (!isWechatEventOfType(message, 'MASSSENDJOBFINISH')) throw new Error('not typed');
      const { CopyrightCheckResult, ArticleUrlResult, ...scalars } = typed(message);
      expect(scalars).toStrictEqual({
        ...header,
        MsgType: 'event',
        Event: 'MASSSENDJOBFINISH',
        MsgID: '1000001625',
        Status: 'err(30003)',
        TotalCount: '0',
        FilterCount: '0',
        SentCount: '0',
        ErrorCount: '0',
      });
      expect(JSON.parse(JSON.stringify(CopyrightCheckResult))).toStrictEqual({
        Count: '2',
        ResultList: {
          item: [
            {
              ArticleIdx: '1',
              UserDeclareState: '0',
              AuditState: '2',
              OriginalArticleUrl: 'Url_1',
            },
            {
              ArticleIdx: '2',
              UserDeclareState: '0',
              AuditState: '2',
              OriginalArticleUrl: 'Url_2',
            },
          ],
        },
        CheckState: '2',
      });
      expect(JSON.parse(JSON.stringify(ArticleUrlResult))).toStrictEqual({
        Count: '1',
        ResultList: { item: { ArticleIdx: '1', ArticleUrl: 'Url' } },
      });
      expect(message.CopyrightCheckResult).toBe(message.raw.CopyrightCheckResult);
    }
  });

  it('gives "" and 0 for required fields the XML lacks, and leaves optional ones out', async () => {
    const message = await parseWechatMessage('<xml><MsgType>text</MsgType></xml>');
    expect(typed(message)).toStrictEqual({
      ToUserName: '',
      FromUserName: '',
      CreateTime: 0,
      MsgType: 'text',
      MsgId: '',
      Content: '',
    });
  });

  it('keeps an unknown MsgType with every raw field', async () => {
    const message = await parseWechatMessage(
      push(
        'miniprogrampage',
        '<MsgId>7001</MsgId><Title><![CDATA[小程序]]></Title><AppId>wxapp</AppId><PagePath>p/i</PagePath>',
      ),
    );
    expect(typed(message)).toStrictEqual({ ...header, MsgType: 'miniprogrampage', MsgId: '7001' });
    expect(isUnknownWechatMessage(message)).toBe(true);
    expect(isWechatUserMessage(message)).toBe(false);
    expect(message.raw.Title).toBe('小程序');
    expect(message.raw.AppId).toBe('wxapp');
    expect(message.raw.PagePath).toBe('p/i');
  });

  it('keeps an unknown Event with every raw field', async () => {
    const message = await parseWechatMessage(
      event('debug_demo', '<debug_str><![CDATA[hello world]]></debug_str><EventKey>k</EventKey>'),
    );
    expect(typed(message)).toStrictEqual({
      ...header,
      MsgType: 'event',
      Event: 'debug_demo',
      EventKey: 'k',
    });
    expect(isWechatEvent(message)).toBe(false);
    expect(isUnknownWechatMessage(message)).toBe(true);
    expect(message.raw.debug_str).toBe('hello world');
  });

  it('treats an event without Event as unknown', async () => {
    const message = await parseWechatMessage(push('event', ''));
    expect(typed(message)).toStrictEqual({ ...header, MsgType: 'event' });
    expect(isUnknownWechatMessage(message)).toBe(true);
  });

  it('narrows with the type guards', async () => {
    const scan = await parseWechatMessage(FIXTURES.find(([name]) => name === 'SCAN')?.[1] ?? '');
    expect(isWechatEvent(scan)).toBe(true);
    expect(isWechatEventOfType(scan, 'SCAN')).toBe(true);
    expect(isWechatEventOfType(scan, 'subscribe', 'CLICK')).toBe(false);
    expect(isWechatMessageOfType(scan, 'text')).toBe(false);
    expect(isUnknownWechatMessage(scan)).toBe(false);
    const text = await parseWechatMessage(FIXTURES[0][1]);
    expect(isWechatMessageOfType(text, 'image', 'text')).toBe(true);
    expect(isWechatEvent(text)).toBe(false);
  });

  it('MISSING_MSG_TYPE when MsgType is absent or empty', async () => {
    await expect(
      reasonOf(() => parseWechatMessage(`<xml><ToUserName>${ACCOUNT}</ToUserName></xml>`)),
    ).resolves.toBe('MISSING_MSG_TYPE');
    await expect(
      reasonOf(() => parseWechatMessage('<xml><MsgType><![CDATA[]]></MsgType></xml>')),
    ).resolves.toBe('MISSING_MSG_TYPE');
    await expect(reasonOf(() => parseWechatMessage('<xml/>'))).resolves.toBe('MISSING_MSG_TYPE');
  });
});

describe('parseWechatXml', () => {
  it('returns the fields of <xml> as null-prototype objects, CDATA and plain alike', async () => {
    const fields = await parseWechatXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n  <A><![CDATA[ spaced ]]></A>\n  <B>plain &amp; &lt;b&gt;</B>' +
        '<C/><D></D><E><![CDATA[]]></E><F><G>1</G><G>2</G></F><H>a<![CDATA[b]]>c</H>\n</xml>\n',
    );
    expect(Object.getPrototypeOf(fields)).toBeNull();
    expect(JSON.parse(JSON.stringify(fields))).toStrictEqual({
      A: ' spaced ',
      B: 'plain & <b>',
      C: '',
      D: '',
      E: '',
      F: { G: ['1', '2'] },
      H: 'abc',
    });
    expect(Object.getPrototypeOf(fields.F)).toBeNull();
  });

  it('keeps mixed text under "_" and attributes under "$"', async () => {
    const fields = await parseWechatXml('<xml><A x="1">text<B>b</B></A><C y="2">c</C></xml>');
    expect(JSON.parse(JSON.stringify(fields))).toStrictEqual({
      A: { _: 'text', $: { x: '1' }, B: 'b' },
      C: { _: 'c', $: { y: '2' } },
    });
  });

  it('strips a UTF-8 BOM and survives invalid UTF-8', async () => {
    const bom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('<xml><A>1</A></xml>'),
    ]);
    expect((await parseWechatXml(bom)).A).toBe('1');
    const invalid = Buffer.concat([
      Buffer.from('<xml><A><![CDATA[x'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(']]></A></xml>'),
    ]);
    expect((await parseWechatXml(invalid)).A).toBe('x\ufffd\ufffd\ufffd');
  });

  it('does not let __proto__ / constructor tags pollute Object.prototype, and keeps them in raw', async () => {
    const xml = push(
      'text',
      '<Content>hi</Content><__proto__><polluted>1</polluted></__proto__>' +
        '<constructor><prototype><polluted>2</polluted></prototype></constructor>' +
        '<hasOwnProperty>x</hasOwnProperty><toString>y</toString>',
    );
    const message = await parseWechatMessage(xml);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    expect(typeof ({} as { hasOwnProperty: unknown }).hasOwnProperty).toBe('function');
    expect(isWechatMessageOfType(message, 'text') && message.Content).toBe('hi');
    const raw = message.raw;
    expect(Object.hasOwn(raw, '__proto__')).toBe(true);
    expect((raw.__proto__ as WechatXmlNode).polluted).toBe('1');
    expect(Object.getPrototypeOf(raw.__proto__)).toBeNull();
    const ctor = raw['constructor'] as WechatXmlNode;
    expect((ctor.prototype as WechatXmlNode).polluted).toBe('2');
    expect(raw.hasOwnProperty).toBe('x');
    expect(raw.toString).toBe('y');
    expect(Object.keys(raw)).toEqual([
      'ToUserName',
      'FromUserName',
      'CreateTime',
      'MsgType',
      'Content',
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'toString',
    ]);
  });

  it('handles tags named like the parser internals ("_", "cdata", "$"-free names)', async () => {
    const fields = await parseWechatXml('<xml><_>u</_><cdata>c</cdata><name>n</name></xml>');
    expect(JSON.parse(JSON.stringify(fields))).toStrictEqual({ _: 'u', cdata: 'c', name: 'n' });
  });

  describe('errors', () => {
    it.each<[string, WechatXmlErrorReason, string | Buffer]>([
      ['malformed (unclosed element)', 'MALFORMED', '<xml><A>1</xml>'],
      ['malformed (not XML)', 'MALFORMED', 'hello'],
      ['malformed (JSON)', 'MALFORMED', '{"ToUserName":"gh"}'],
      ['malformed (character reference to U+0000)', 'MALFORMED', '<xml><A>&#0;</A></xml>'],
      ['two roots', 'MALFORMED', '<xml><A>1</A></xml><xml><A>2</A></xml>'],
      ['two different roots', 'MALFORMED', '<xml><A>1</A></xml><other/>'],
      ['text after the root', 'MALFORMED', '<xml><A>1</A></xml>trailing'],
      ['text before the root', 'MALFORMED', 'leading<xml><A>1</A></xml>'],
      ['a CDATA section outside the root', 'MALFORMED', '<xml/><![CDATA[x]]>'],
      ['only a comment', 'MALFORMED', '<!-- nothing -->'],
      [
        'a forged close of the internal wrapper',
        'MALFORMED',
        '<xml><A>1</A></xml></wechat-push-document><xml><A>2</A></xml>',
      ],
      [
        'nesting deeper than 32',
        'MALFORMED',
        `<xml>${'<a>'.repeat(40)}x${'</a>'.repeat(40)}</xml>`,
      ],
      ['root is not xml', 'BAD_ROOT', '<root><MsgType>text</MsgType></root>'],
      ['root is XML (case differs)', 'BAD_ROOT', '<XML><MsgType>text</MsgType></XML>'],
      [
        'DOCTYPE with an external entity',
        'DTD_FORBIDDEN',
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>',
      ],
      ['lower-case doctype', 'DTD_FORBIDDEN', '<!doctype xml><xml/>'],
      ['a bare ENTITY declaration', 'DTD_FORBIDDEN', '<xml><!ENTITY a "b"></xml>'],
      ['mixed-case EnTiTy', 'DTD_FORBIDDEN', '<xml><!EnTiTy a "b"></xml>'],
      [
        'a DOCTYPE after CDATA sections',
        'DTD_FORBIDDEN',
        '<xml><A><![CDATA[a]]></A><B><![CDATA[<!]]></B><!DOCTYPE x></xml>',
      ],
      ['empty string', 'EMPTY', ''],
      ['whitespace only', 'EMPTY', ' \n\t '],
      ['empty Buffer', 'EMPTY', Buffer.alloc(0)],
      ['a BOM only', 'EMPTY', '\ufeff'],
    ])('%s → %s', async (_label, reason, xml) => {
      await expect(reasonOf(() => parseWechatXml(xml))).resolves.toBe(reason);
    });

    it('TOO_LARGE over the byte limit (string, multi-byte string and Buffer)', async () => {
      const exact = `<xml><A>${'x'.repeat(100 - 18)}</A></xml>`;
      expect(Buffer.byteLength(exact)).toBe(100);
      await expect(parseWechatXml(exact, { maxBytes: 100 })).resolves.toBeDefined();
      await expect(reasonOf(() => parseWechatXml(`${exact} `, { maxBytes: 100 }))).resolves.toBe(
        'TOO_LARGE',
      );
      const chinese = `<xml><A>${'中'.repeat(30)}</A></xml>`;
      expect(chinese.length).toBeLessThan(100);
      await expect(reasonOf(() => parseWechatXml(chinese, { maxBytes: 100 }))).resolves.toBe(
        'TOO_LARGE',
      );
      await expect(
        reasonOf(() => parseWechatXml(Buffer.from(`${exact} `), { maxBytes: 100 })),
      ).resolves.toBe('TOO_LARGE');
    });

    it('defaults the limit to 64 KiB, checked before anything else', async () => {
      expect(DEFAULT_MAX_XML_BYTES).toBe(65536);
      const big = `<!DOCTYPE x>${' '.repeat(65536)}`;
      await expect(reasonOf(() => parseWechatXml(big))).resolves.toBe('TOO_LARGE');
      const fits = `<xml><A>${'x'.repeat(65536 - 18)}</A></xml>`;
      expect((await parseWechatXml(fits)).A).toHaveLength(65536 - 18);
    });

    it('checks for a DTD before parsing, even in an otherwise malformed body', async () => {
      await expect(reasonOf(() => parseWechatXml('<xml><!DOCTYPE'))).resolves.toBe('DTD_FORBIDDEN');
    });

    it('errors are WechatXmlError with code WECHAT_XML and never quote the body', async () => {
      const secret = 'very-secret-content';
      for (const xml of [`<xml><A>${secret}</xml>`, `<root>${secret}</root>`]) {
        const error = await parseWechatXml(xml).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(WechatXmlError);
        expect((error as WechatXmlError).code).toBe('WECHAT_XML');
        expect((error as WechatXmlError).message).not.toContain(secret);
      }
    });

    it('refuses a non-positive maxBytes', async () => {
      await expect(parseWechatXml('<xml/>', { maxBytes: 0 })).rejects.toThrow(RangeError);
    });
  });
});

describe('parseEncryptedEnvelope / hasEncryptElement', () => {
  const encrypt =
    'ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ==';

  it('reads a safe-mode envelope', async () => {
    const envelope = await parseEncryptedEnvelope(
      `<xml><ToUserName><![CDATA[${ACCOUNT}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    );
    expect(envelope.encrypt).toBe(encrypt);
    expect(envelope.toUserName).toBe(ACCOUNT);
    expect(hasEncryptElement(envelope.fields)).toBe(true);
  });

  it('reads a compatible-mode body (plain fields and Encrypt together)', async () => {
    const xml = push('text', `<Content>hi</Content><MsgId>1</MsgId><Encrypt>${encrypt}</Encrypt>`);
    const envelope = await parseEncryptedEnvelope(xml);
    expect(envelope.encrypt).toBe(encrypt);
    expect(envelope.fields.Content).toBe('hi');
  });

  it('leaves toUserName out when absent', async () => {
    const envelope = await parseEncryptedEnvelope(`<xml><Encrypt>${encrypt}</Encrypt></xml>`);
    expect(envelope).not.toHaveProperty('toUserName');
  });

  it('MISSING_ENCRYPT without an Encrypt element; MALFORMED when it is repeated', async () => {
    await expect(
      reasonOf(() => parseEncryptedEnvelope(push('text', '<Content>x</Content>'))),
    ).resolves.toBe('MISSING_ENCRYPT');
    await expect(
      reasonOf(() => parseEncryptedEnvelope('<xml><Encrypt>a</Encrypt><Encrypt>b</Encrypt></xml>')),
    ).resolves.toBe('MALFORMED');
    await expect(
      reasonOf(() => parseEncryptedEnvelope('<xml><Encrypt><X>a</X></Encrypt></xml>')),
    ).resolves.toBe('MALFORMED');
  });

  it('hasEncryptElement only sees own fields', async () => {
    const fields: WechatXmlFields = await parseWechatXml(push('text', '<Content>x</Content>'));
    expect(hasEncryptElement(fields)).toBe(false);
    expect(hasEncryptElement(await parseWechatXml('<xml><Encrypt></Encrypt></xml>'))).toBe(true);
    const inherited = Object.create({ Encrypt: 'x' }) as Record<string, string>;
    expect(hasEncryptElement(inherited)).toBe(false);
  });
});
