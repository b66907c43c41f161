import { Inject, Injectable } from '@nestjs/common';
import { WechatValidationError } from '../errors/wechat-api.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { AccessTokenService } from '../token/access-token.service';
import { WECHAT_OPTIONS } from '../wechat.constants';
import {
  MAX_BATCH_GET_USERS,
  QR_EXPIRE_SECONDS_MAX,
  QR_EXPIRE_SECONDS_MIN,
  QR_LIMIT_SCENE_ID_MAX,
  QR_SCENE_STR_MAX_LENGTH,
  WECHAT_API_PATHS,
  WECHAT_SHOW_QRCODE_URL,
  WECHAT_USER_LANGS,
} from './wechat-api.constants';
import type {
  WechatApiRequest,
  WechatBaseResponse,
  WechatBatchGetUserInfoResponse,
  WechatBatchGetUserItem,
  WechatCustomMessage,
  WechatHttpMethod,
  WechatQRCode,
  WechatQRCodeActionName,
  WechatQRCodeCreateBody,
  WechatQRCodeCreateResponse,
  WechatQRCodeRequest,
  WechatRawRequest,
  WechatTemplateMessage,
  WechatTemplateMessageResult,
  WechatTemplateSendResponse,
  WechatUserInfo,
  WechatUserInfoResponse,
  WechatUserLang,
} from './wechat-api.interfaces';
import { WechatHttpClient } from './wechat-http.client';
import { WechatApiCaller } from './wechat-api.caller';
import { WechatCustomerServiceApi } from './domains/customer-service.api';
import { WechatDraftsApi } from './domains/drafts.api';
import { WechatMediaApi } from './domains/media.api';
import { WechatMenuApi } from './domains/menu.api';
import { WechatPublishApi } from './domains/publish.api';
import { WechatSubscribeApi } from './domains/subscribe.api';
import { WechatTagsApi } from './domains/tags.api';
import { WechatUsersApi } from './domains/users.api';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * The WeChat Official Account API client of one account, on the fleet-wide access_token of
 * {@link AccessTokenService}: template messages, QR codes, user info and customer-service messages
 * as methods; the API domains as properties (`media`, `menu`, `subscribe`, `users`, `tags`,
 * `customerService`, `drafts`, `publish`); and {@link request} for any other endpoint.
 *
 * Every call goes through one path: take the token; on `40001/40014/42001` clear exactly that token
 * (compare-and-delete, so concurrent failures across the fleet cause one refresh) and retry once
 * with a fresh one. Configuration errors (40164, 40125, 40013), quota (45009) and 89503 fail at
 * once with a {@link WechatApiError}; `-1` and network errors are retried by {@link WechatHttpClient}.
 * Invalid arguments fail with a {@link WechatValidationError} before any HTTP call.
 */
@Injectable()
export class WechatClientService {
  /** Temporary media, permanent material and article images. */
  readonly media: WechatMediaApi;
  /** The custom menu, conditional menus included. */
  readonly menu: WechatMenuApi;
  /** Subscription notifications and their templates. */
  readonly subscribe: WechatSubscribeApi;
  /** The follower list, remarks and the blacklist. */
  readonly users: WechatUsersApi;
  /** Follower tags. */
  readonly tags: WechatTagsApi;
  /** Every customer-service message type and the typing indicator. */
  readonly customerService: WechatCustomerServiceApi;
  /** The draft box. */
  readonly drafts: WechatDraftsApi;
  /** Publishing drafts. */
  readonly publish: WechatPublishApi;
  /** The token-authenticated pipeline every call goes through. */
  private readonly api: WechatApiCaller;

  /**
   * @param tokens the access_token source.
   * @param http the request pipeline.
   * @param options the resolved module options.
   */
  constructor(
    private readonly tokens: AccessTokenService,
    http: WechatHttpClient,
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
  ) {
    this.api = new WechatApiCaller(tokens, http);
    this.media = new WechatMediaApi(this.api);
    this.menu = new WechatMenuApi(this.api);
    this.subscribe = new WechatSubscribeApi(this.api);
    this.users = new WechatUsersApi(this.api);
    this.tags = new WechatTagsApi(this.api);
    this.customerService = new WechatCustomerServiceApi(this.api);
    this.drafts = new WechatDraftsApi(this.api);
    this.publish = new WechatPublishApi(this.api);
  }

  /**
   * Calls any WeChat endpoint through the same pipeline as the typed calls: the access_token added
   * to the query, one refresh-and-retry on 40001 / 40014 / 42001, retries on -1, timeouts, typed
   * errors with hints, nothing secret in messages. `T` types WeChat's answer.
   *
   * ```ts
   * const { is_open } = await client.request<{ is_open: number }>({
   *   method: 'GET',
   *   path: '/cgi-bin/get_current_autoreply_info',
   * });
   * ```
   *
   * @returns WeChat's JSON answer, untouched (errcode 0 or absent).
   * @throws WechatValidationError for a path that is not `/…` without a query, a query that sets
   * `access_token`, or both `body` and `form`.
   * @throws WechatApiError for a non-zero errcode; WechatHttpError for transport failures.
   */
  async request<T extends object = Record<string, unknown>>(
    request: WechatRawRequest,
  ): Promise<T & WechatBaseResponse> {
    if (request?.method !== 'GET' && request?.method !== 'POST') {
      throw new WechatValidationError('method', 'must be GET or POST.');
    }
    if (typeof request.path !== 'string' || !/^\/[^?#\s]*$/.test(request.path)) {
      throw new WechatValidationError('path', 'must start with / and carry no query or fragment.');
    }
    if (request.query !== undefined && 'access_token' in request.query) {
      throw new WechatValidationError('query', 'access_token is added by the client.');
    }
    if (request.body !== undefined && request.form !== undefined) {
      throw new WechatValidationError('form', 'a request has a JSON body or a form, not both.');
    }
    return this.api.call<T & WechatBaseResponse>({
      method: request.method,
      path: request.path,
      query: request.query,
      body: request.body,
      form: request.form,
      bigIntFields: request.bigIntFields,
    });
  }

  /** The AppID this client works for. */
  get appId(): string {
    return this.options.appId;
  }

  /** A valid access_token (see {@link AccessTokenService.getAccessToken}). */
  getAccessToken(): Promise<string> {
    return this.tokens.getAccessToken();
  }

  /** Forgets a token (see {@link AccessTokenService.clearAccessToken}); pass the rejected one. */
  clearAccessToken(token?: string): Promise<void> {
    return this.tokens.clearAccessToken(token);
  }

  /**
   * Sends a template message (`POST /cgi-bin/message/template/send`).
   *
   * @returns the `msgid` as an exact decimal string (64-bit).
   * @throws WechatValidationError when `touser`, `template_id` or `data` is missing.
   */
  async sendTemplateMessage(message: WechatTemplateMessage): Promise<WechatTemplateMessageResult> {
    requireText(message?.touser, 'touser');
    requireText(message.template_id, 'template_id');
    if (typeof message.data !== 'object' || message.data === null) {
      throw new WechatValidationError('data', 'must be an object of { value, color? } entries.');
    }
    const body: WechatTemplateMessage = {
      touser: message.touser,
      template_id: message.template_id,
      url: message.url,
      miniprogram: message.miniprogram,
      client_msg_id: message.client_msg_id,
      data: message.data,
    };
    const response = await this.callWithToken<WechatTemplateSendResponse>(
      'POST',
      WECHAT_API_PATHS.templateSend,
      { body, bigIntFields: ['msgid'] },
    );
    return { msgId: String(response.msgid) };
  }

  /**
   * Creates a QR code with a scene (`POST /cgi-bin/qrcode/create`): `QR_SCENE` / `QR_STR_SCENE`
   * (temporary) or `QR_LIMIT_SCENE` / `QR_LIMIT_STR_SCENE` (permanent), picked from the type of
   * `scene` and `permanent`.
   *
   * @throws WechatValidationError for a scene or lifetime WeChat would refuse.
   */
  async createQRCode(request: WechatQRCodeRequest): Promise<WechatQRCode> {
    const body = buildQRCodeBody(request);
    const response = await this.callWithToken<WechatQRCodeCreateResponse>(
      'POST',
      WECHAT_API_PATHS.qrcodeCreate,
      { body },
    );
    const result: WechatQRCode = {
      ticket: response.ticket,
      url: response.url,
      imageUrl: WechatClientService.qrCodeImageUrl(response.ticket),
    };
    if (response.expire_seconds !== undefined) result.expireSeconds = response.expire_seconds;
    return result;
  }

  /** The image URL of a QR code ticket: `…/showqrcode?ticket=<encodeURIComponent(ticket)>`. */
  static qrCodeImageUrl(ticket: string): string {
    return `${WECHAT_SHOW_QRCODE_URL}?ticket=${encodeURIComponent(ticket)}`;
  }

  /**
   * A follower's profile (`GET /cgi-bin/user/info`). For a user who does not follow the account
   * (any more), `subscribe` is 0 and most fields are absent.
   *
   * @throws WechatValidationError for an empty openid or an unknown `lang`.
   */
  async getUserInfo(openId: string, lang: WechatUserLang = 'zh_CN'): Promise<WechatUserInfo> {
    requireText(openId, 'openId');
    requireLang(lang, 'lang');
    const response = await this.callWithToken<WechatUserInfoResponse>(
      'GET',
      WECHAT_API_PATHS.userInfo,
      { query: { openid: openId, lang } },
    );
    return withoutStatus(response);
  }

  /**
   * Up to 100 profiles in one call (`POST /cgi-bin/user/info/batchget`), in WeChat's order.
   *
   * @param users openids (language `zh_CN`) or `{ openid, lang }` entries.
   * @throws WechatValidationError for 0 or more than 100 entries, an empty openid or unknown lang.
   */
  async batchGetUserInfo(
    users: readonly string[] | readonly WechatBatchGetUserItem[],
  ): Promise<WechatUserInfo[]> {
    if (!Array.isArray(users) || users.length < 1 || users.length > MAX_BATCH_GET_USERS) {
      throw new WechatValidationError(
        'users',
        `must list 1 to ${MAX_BATCH_GET_USERS} openids (got ${Array.isArray(users) ? users.length : typeof users}).`,
      );
    }
    const userList = (users as readonly (string | WechatBatchGetUserItem)[]).map((user, index) => {
      const entry = typeof user === 'string' ? { openid: user } : user;
      requireText(entry?.openid, `users[${index}].openid`);
      const lang = entry.lang ?? 'zh_CN';
      requireLang(lang, `users[${index}].lang`);
      return { openid: entry.openid, lang };
    });
    const response = await this.callWithToken<WechatBatchGetUserInfoResponse>(
      'POST',
      WECHAT_API_PATHS.userInfoBatchGet,
      { body: { user_list: userList } },
    );
    return response.user_info_list ?? [];
  }

  /**
   * Sends a customer-service message (`POST /cgi-bin/message/custom/send`); allowed only inside
   * WeChat's interaction windows (else WechatApiError 45015 / 45047).
   *
   * @throws WechatValidationError when `touser` or `msgtype`'s payload is missing.
   */
  async sendCustomMessage(message: WechatCustomMessage): Promise<void> {
    requireText(message?.touser, 'touser');
    requireText(message.msgtype, 'msgtype');
    const payload = (message as unknown as Record<string, unknown>)[message.msgtype];
    if (typeof payload !== 'object' || payload === null) {
      throw new WechatValidationError(
        message.msgtype,
        `a "${message.msgtype}" message needs a "${message.msgtype}" object.`,
      );
    }
    await this.callWithToken<WechatBaseResponse>('POST', WECHAT_API_PATHS.customSend, {
      body: message,
    });
  }

  /** Every token-authenticated call of the methods above goes through {@link WechatApiCaller}. */
  private callWithToken<T extends WechatBaseResponse>(
    method: WechatHttpMethod,
    path: string,
    request: Pick<WechatApiRequest, 'query' | 'body' | 'bigIntFields'> = {},
  ): Promise<T> {
    return this.api.call<T>({ ...request, method, path });
  }
}

function requireText(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new WechatValidationError(field, 'must be a non-empty string.');
  }
}

function requireLang(value: unknown, field: string): void {
  if (!(WECHAT_USER_LANGS as readonly unknown[]).includes(value)) {
    throw new WechatValidationError(field, `must be one of ${WECHAT_USER_LANGS.join(', ')}.`);
  }
}

function withoutStatus(response: WechatUserInfoResponse): WechatUserInfo {
  const info: WechatUserInfo & Partial<WechatBaseResponse> = { ...response };
  delete info.errcode;
  delete info.errmsg;
  return info;
}

/** Validates a QR code request like WeChat does and builds the body. */
function buildQRCodeBody(request: WechatQRCodeRequest): WechatQRCodeCreateBody {
  const { scene, expireSeconds } = request ?? {};
  const permanent = request?.permanent === true;
  let actionName: WechatQRCodeActionName;
  let sceneInfo: WechatQRCodeCreateBody['action_info']['scene'];
  if (typeof scene === 'number') {
    if (!Number.isInteger(scene)) {
      throw new WechatValidationError(
        'scene',
        `a numeric scene must be an integer (got ${scene}).`,
      );
    }
    if (permanent) {
      if (scene < 1 || scene > QR_LIMIT_SCENE_ID_MAX) {
        throw new WechatValidationError(
          'scene',
          `a permanent QR code's scene_id must be 1 to ${QR_LIMIT_SCENE_ID_MAX} (got ${scene}).`,
        );
      }
    } else if (scene === 0 || scene < INT32_MIN || scene > INT32_MAX) {
      throw new WechatValidationError(
        'scene',
        `a temporary QR code's scene_id must be a non-zero 32-bit integer (got ${scene}).`,
      );
    }
    actionName = permanent ? 'QR_LIMIT_SCENE' : 'QR_SCENE';
    sceneInfo = { scene_id: scene };
  } else if (typeof scene === 'string') {
    if (scene.length < 1 || scene.length > QR_SCENE_STR_MAX_LENGTH) {
      throw new WechatValidationError(
        'scene',
        `scene_str must be 1 to ${QR_SCENE_STR_MAX_LENGTH} characters (got ${scene.length}).`,
      );
    }
    actionName = permanent ? 'QR_LIMIT_STR_SCENE' : 'QR_STR_SCENE';
    sceneInfo = { scene_str: scene };
  } else {
    throw new WechatValidationError('scene', 'must be a string or an integer.');
  }
  const body: WechatQRCodeCreateBody = {
    action_name: actionName,
    action_info: { scene: sceneInfo },
  };
  if (expireSeconds !== undefined) {
    if (permanent) {
      throw new WechatValidationError('expireSeconds', 'permanent QR codes do not expire.');
    }
    if (
      !Number.isInteger(expireSeconds) ||
      expireSeconds < QR_EXPIRE_SECONDS_MIN ||
      expireSeconds > QR_EXPIRE_SECONDS_MAX
    ) {
      throw new WechatValidationError(
        'expireSeconds',
        `must be an integer from ${QR_EXPIRE_SECONDS_MIN} to ${QR_EXPIRE_SECONDS_MAX} (got ${expireSeconds}).`,
      );
    }
    body.expire_seconds = expireSeconds;
  }
  return body;
}
