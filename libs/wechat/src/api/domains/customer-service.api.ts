import { WechatValidationError } from '../../errors/wechat-api.error';
import type { WechatApiCaller } from '../wechat-api.caller';
import type {
  WechatBaseResponse,
  WechatCustomMessage,
  WechatCustomMessageContent,
  WechatCustomNewsArticle,
  WechatOkResult,
} from '../wechat-api.interfaces';
import { requireObject, requireText } from './domain-validation';

/** API paths of the customer-service domain. */
export const CUSTOMER_SERVICE_PATHS = {
  send: '/cgi-bin/message/custom/send',
  typing: '/cgi-bin/message/custom/typing',
} as const;

/** Options of every customer-service message. */
export interface WechatCustomSendOptions {
  /** Send as this customer-service account (`customservice.kf_account`, e.g. `kf2001@gh_x`). */
  kfAccount?: string;
}

/** Required fields of each message type's payload. */
const REQUIRED_FIELDS: Readonly<Record<WechatCustomMessageContent['msgtype'], readonly string[]>> =
  {
    text: ['content'],
    image: ['media_id'],
    voice: ['media_id'],
    video: ['media_id', 'thumb_media_id'],
    music: ['musicurl', 'hqmusicurl', 'thumb_media_id'],
    news: [],
    mpnews: ['media_id'],
    mpnewsarticle: ['article_id'],
    msgmenu: [],
    wxcard: ['card_id'],
    miniprogrampage: ['title', 'appid', 'pagepath', 'thumb_media_id'],
  };

/**
 * Checks a customer-service message like WeChat does: a known `msgtype`, its payload and required
 * fields, exactly one news article, a menu with items, and a `kf_account` of the form `name@gh`.
 *
 * @throws WechatValidationError naming the field (e.g. `video.thumb_media_id`).
 */
export function validateCustomMessage(message: WechatCustomMessage): void {
  requireObject(message, 'message');
  requireText(message.touser, 'touser');
  const required = REQUIRED_FIELDS[message.msgtype];
  if (required === undefined) {
    throw new WechatValidationError(
      'msgtype',
      `must be one of ${Object.keys(REQUIRED_FIELDS).join(', ')}.`,
    );
  }
  const payload = (message as unknown as Record<string, Record<string, unknown> | undefined>)[
    message.msgtype
  ];
  requireObject(payload, message.msgtype);
  for (const field of required) requireText(payload[field], `${message.msgtype}.${field}`);
  if (message.msgtype === 'news') {
    const { articles } = message.news;
    if (!Array.isArray(articles) || articles.length !== 1) {
      throw new WechatValidationError('news.articles', 'a news message carries exactly 1 article.');
    }
    requireText(articles[0]?.title, 'news.articles[0].title');
  }
  if (message.msgtype === 'msgmenu') {
    const { list } = message.msgmenu;
    if (!Array.isArray(list) || list.length === 0) {
      throw new WechatValidationError('msgmenu.list', 'a menu message needs at least one item.');
    }
    list.forEach((item, index) => {
      requireText(item?.id, `msgmenu.list[${index}].id`);
      requireText(item.content, `msgmenu.list[${index}].content`);
    });
  }
  if (message.customservice !== undefined) {
    const account = message.customservice?.kf_account;
    if (typeof account !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(account)) {
      throw new WechatValidationError(
        'customservice.kf_account',
        'must be a customer-service account of the form name@account.',
      );
    }
  }
}

/**
 * `client.customerService`: every customer-service message type and the typing indicator.
 * Allowed within WeChat's interaction windows (48 h after the user's last message; else 45015,
 * too many in a row 45047).
 */
export class WechatCustomerServiceApi {
  /** @param api the account's token-authenticated request pipeline. */
  constructor(private readonly api: WechatApiCaller) {}

  /**
   * Sends any message type (`POST /cgi-bin/message/custom/send`), as given.
   *
   * @throws WechatValidationError for a message WeChat would refuse, before any HTTP call.
   */
  async send(message: WechatCustomMessage): Promise<WechatOkResult> {
    validateCustomMessage(message);
    const raw = await this.api.call<WechatBaseResponse>({
      method: 'POST',
      path: CUSTOMER_SERVICE_PATHS.send,
      body: message,
    });
    return { raw };
  }

  /** A text message. */
  sendText(
    openId: string,
    content: string,
    options?: WechatCustomSendOptions,
  ): Promise<WechatOkResult> {
    return this.send(build(openId, { msgtype: 'text', text: { content } }, options));
  }

  /** An image (a media_id from `client.media`). */
  sendImage(
    openId: string,
    mediaId: string,
    options?: WechatCustomSendOptions,
  ): Promise<WechatOkResult> {
    return this.send(build(openId, { msgtype: 'image', image: { media_id: mediaId } }, options));
  }

  /** A voice message. */
  sendVoice(
    openId: string,
    mediaId: string,
    options?: WechatCustomSendOptions,
  ): Promise<WechatOkResult> {
    return this.send(build(openId, { msgtype: 'voice', voice: { media_id: mediaId } }, options));
  }

  /** A video (`thumb_media_id` required by WeChat). */
  sendVideo(
    openId: string,
    video: { media_id: string; thumb_media_id: string; title?: string; description?: string },
    options?: WechatCustomSendOptions,
  ): Promise<WechatOkResult> {
    return this.send(build(openId, { msgtype: 'video', video }, options));
  }

  /** Music. */
  sendMusic(
    openId: string,
    music: {
      title?: string;
      description?: string;
      musicurl: string;
      hqmusicurl: string;
      thumb_media_id: string;
    },
    options?: WechatCustomSendOptions,
  ): Promise<WechatOkResult> {
    return this.send(build(openId, { msgtype: 'music', music }, options));
  }

  /** One article with a link (WeChat shows exactly one). */
  sendNews(
    openId: string,
    article: WechatCustomNewsArticle,
    options?: WechatCustomSendOptions,
  ): Promise<WechatOkResult> {
    return this.send(build(openId, { msgtype: 'news', news: { articles: [article] } }, options));
  }

  /** A news material (`media_id`). */
  sendMpNews(
    openId: string,
    mediaId: string,
    options?: WechatCustomSendOptions,
  ): Promise<WechatOkResult> {
    return this.send(build(openId, { msgtype: 'mpnews', mpnews: { media_id: mediaId } }, options));
  }

  /** A published article (`article_id` from `client.publish`). */
  sendMpNewsArticle(
    openId: string,
    articleId: string,
    options?: WechatCustomSendOptions,
  ): Promise<WechatOkResult> {
    return this.send(
      build(
        openId,
        { msgtype: 'mpnewsarticle', mpnewsarticle: { article_id: articleId } },
        options,
      ),
    );
  }

  /** A menu message: tapping an item sends its content back with `bizmsgmenuid` = its id. */
  sendMenu(
    openId: string,
    menu: { head_content: string; list: { id: string; content: string }[]; tail_content: string },
    options?: WechatCustomSendOptions,
  ): Promise<WechatOkResult> {
    return this.send(build(openId, { msgtype: 'msgmenu', msgmenu: menu }, options));
  }

  /** A mini program card. */
  sendMiniProgramPage(
    openId: string,
    page: { title: string; appid: string; pagepath: string; thumb_media_id: string },
    options?: WechatCustomSendOptions,
  ): Promise<WechatOkResult> {
    return this.send(build(openId, { msgtype: 'miniprogrampage', miniprogrampage: page }, options));
  }

  /** Shows (`true`) or hides the "typing…" indicator (`POST /cgi-bin/message/custom/typing`). */
  async typing(openId: string, on = true): Promise<WechatOkResult> {
    requireText(openId, 'openId');
    const raw = await this.api.call<WechatBaseResponse>({
      method: 'POST',
      path: CUSTOMER_SERVICE_PATHS.typing,
      body: { touser: openId, command: on ? 'Typing' : 'CancelTyping' },
    });
    return { raw };
  }
}

function build(
  openId: string,
  content: WechatCustomMessageContent,
  options: WechatCustomSendOptions = {},
): WechatCustomMessage {
  const message: WechatCustomMessage = { touser: openId, ...content };
  if (options.kfAccount !== undefined) message.customservice = { kf_account: options.kfAccount };
  return message;
}
