import { WechatValidationError } from '../../errors/wechat-api.error';
import type { WechatApiCaller } from '../wechat-api.caller';
import type { WechatBaseResponse, WechatOkResult } from '../wechat-api.interfaces';
import { requireInt, requireMaxChars, requireObject, requireText } from './domain-validation';
import type {
  WechatSubscribeAddTemplateResponse,
  WechatSubscribeCategoryResponse,
  WechatSubscribeMessage,
  WechatSubscribePubKeywordsResponse,
  WechatSubscribePubTitlesResponse,
  WechatSubscribeTemplate,
  WechatSubscribeTemplateListResponse,
} from './subscribe.interfaces';

/** API paths of the subscription-notification domain. */
export const SUBSCRIBE_PATHS = {
  send: '/cgi-bin/message/subscribe/bizsend',
  categories: '/wxaapi/newtmpl/getcategory',
  pubTemplateTitles: '/wxaapi/newtmpl/getpubtemplatetitles',
  pubTemplateKeywords: '/wxaapi/newtmpl/getpubtemplatekeywords',
  addTemplate: '/wxaapi/newtmpl/addtemplate',
  templates: '/wxaapi/newtmpl/gettemplate',
  deleteTemplate: '/wxaapi/newtmpl/deltemplate',
} as const;

/**
 * `client.subscribe`: subscription notifications (the successor of template messages for new
 * accounts) and the account's templates. A user who refused or used up a one-time subscription
 * makes WeChat answer 43101; bad data 47003 (the error's `field` names the key). The user's
 * choices arrive as the typed events `subscribe_msg_popup_event`, `subscribe_msg_change_event`
 * and `subscribe_msg_sent_event` (their `List` is always an array).
 */
export class WechatSubscribeApi {
  /** @param api the account's token-authenticated request pipeline. */
  constructor(private readonly api: WechatApiCaller) {}

  /**
   * Sends a subscription notification (`POST /cgi-bin/message/subscribe/bizsend`).
   *
   * @throws WechatValidationError when `touser`, `template_id` or a `data` value is missing.
   */
  async send(message: WechatSubscribeMessage): Promise<WechatOkResult> {
    requireObject(message, 'message');
    requireText(message.touser, 'touser');
    requireText(message.template_id, 'template_id');
    requireObject(message.data, 'data');
    const keys = Object.keys(message.data);
    if (keys.length === 0) throw new WechatValidationError('data', 'needs at least one key.');
    for (const key of keys) {
      const item = message.data[key] as { value?: unknown } | undefined;
      if (typeof item?.value !== 'string') {
        throw new WechatValidationError(`data.${key}.value`, 'must be a string.');
      }
    }
    if (message.miniprogram !== undefined) {
      requireText(message.miniprogram?.appid, 'miniprogram.appid');
      requireText(message.miniprogram.pagepath, 'miniprogram.pagepath');
    }
    const body: WechatSubscribeMessage = {
      touser: message.touser,
      template_id: message.template_id,
      page: message.page,
      miniprogram: message.miniprogram,
      data: message.data,
    };
    const raw = await this.api.call<WechatBaseResponse>({
      method: 'POST',
      path: SUBSCRIBE_PATHS.send,
      body,
    });
    return { raw };
  }

  /** The account's categories (`GET /wxaapi/newtmpl/getcategory`). */
  async categories(): Promise<{
    categories: { id: number; name: string }[];
    raw: WechatSubscribeCategoryResponse;
  }> {
    const raw = await this.api.call<WechatSubscribeCategoryResponse>({
      method: 'GET',
      path: SUBSCRIBE_PATHS.categories,
    });
    return { categories: raw.data ?? [], raw };
  }

  /**
   * Public template titles of categories (`GET …/getpubtemplatetitles`; `limit` 1–30).
   */
  async pubTemplateTitles(
    categoryIds: readonly number[],
    page: { start?: number; limit?: number } = {},
  ): Promise<{
    count: number;
    titles: WechatSubscribePubTitlesResponse['data'];
    raw: WechatSubscribePubTitlesResponse;
  }> {
    if (!Array.isArray(categoryIds) || categoryIds.length === 0) {
      throw new WechatValidationError('categoryIds', 'must list at least one category id.');
    }
    const start = page.start ?? 0;
    const limit = page.limit ?? 30;
    requireInt(start, 0, Number.MAX_SAFE_INTEGER, 'start');
    requireInt(limit, 1, 30, 'limit');
    const raw = await this.api.call<WechatSubscribePubTitlesResponse>({
      method: 'GET',
      path: SUBSCRIBE_PATHS.pubTemplateTitles,
      query: { ids: categoryIds.join(','), start, limit },
    });
    return { count: raw.count, titles: raw.data ?? [], raw };
  }

  /** The keywords of a public template (`GET …/getpubtemplatekeywords?tid=`). */
  async pubTemplateKeywords(tid: string): Promise<{
    keywords: WechatSubscribePubKeywordsResponse['data'];
    raw: WechatSubscribePubKeywordsResponse;
  }> {
    requireText(tid, 'tid');
    const raw = await this.api.call<WechatSubscribePubKeywordsResponse>({
      method: 'GET',
      path: SUBSCRIBE_PATHS.pubTemplateKeywords,
      query: { tid },
    });
    return { keywords: raw.data ?? [], raw };
  }

  /**
   * Adds a public template to the account (`POST …/addtemplate`; 2–5 keyword ids; scene
   * description ≤ 15 characters).
   */
  async addTemplate(
    tid: string,
    keywordIds: readonly number[],
    sceneDesc?: string,
  ): Promise<{ priTmplId: string; raw: WechatSubscribeAddTemplateResponse }> {
    requireText(tid, 'tid');
    if (!Array.isArray(keywordIds) || keywordIds.length < 2 || keywordIds.length > 5) {
      throw new WechatValidationError('keywordIds', 'must list 2 to 5 keyword ids.');
    }
    keywordIds.forEach((kid, index) => requireInt(kid, 1, 2 ** 31 - 1, `keywordIds[${index}]`));
    if (sceneDesc !== undefined) requireMaxChars(sceneDesc, 15, 'sceneDesc', 0);
    const raw = await this.api.call<WechatSubscribeAddTemplateResponse>({
      method: 'POST',
      path: SUBSCRIBE_PATHS.addTemplate,
      body: { tid, kidList: keywordIds, sceneDesc },
    });
    return { priTmplId: raw.priTmplId, raw };
  }

  /** The account's templates (`GET /wxaapi/newtmpl/gettemplate`). */
  async templates(): Promise<{
    templates: WechatSubscribeTemplate[];
    raw: WechatSubscribeTemplateListResponse;
  }> {
    const raw = await this.api.call<WechatSubscribeTemplateListResponse>({
      method: 'GET',
      path: SUBSCRIBE_PATHS.templates,
    });
    return { templates: raw.data ?? [], raw };
  }

  /** Deletes one of the account's templates (`POST …/deltemplate`). */
  async deleteTemplate(priTmplId: string): Promise<WechatOkResult> {
    requireText(priTmplId, 'priTmplId');
    const raw = await this.api.call<WechatBaseResponse>({
      method: 'POST',
      path: SUBSCRIBE_PATHS.deleteTemplate,
      body: { priTmplId },
    });
    return { raw };
  }
}
