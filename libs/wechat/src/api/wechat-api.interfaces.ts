// Request and response shapes of the WeChat HTTP APIs used by WechatClientService and
// WechatHttpClient. Field names of bodies sent to / received from WeChat are WeChat's own
// (snake_case); values this library computes are camelCase.

/** HTTP method of a WeChat API call. */
export type WechatHttpMethod = 'GET' | 'POST';

/** A value of a query parameter; `undefined` leaves the parameter out. */
export type WechatQueryValue = string | number | boolean | undefined;

/** One request of {@link WechatHttpClient.request}. */
export interface WechatApiRequest {
  /** `GET` or `POST`. */
  method: WechatHttpMethod;
  /** API path relative to `apiBaseUrl`, e.g. `/cgi-bin/user/info`. Appears in errors and logs. */
  path: string;
  /** Query parameters (the access_token goes here; it is never logged). */
  query?: Readonly<Record<string, WechatQueryValue>>;
  /** JSON body (POST); serialised with `JSON.stringify`, sent as raw UTF-8. */
  body?: unknown;
  /**
   * A multipart body (POST) instead of `body`: Node's global `FormData`, whose `Content-Type`
   * (with its boundary) fetch sets itself. File parts built on `fs.openAsBlob` are streamed from
   * disk, on every attempt.
   */
  form?: FormData;
  /** Response fields whose integer values are returned as exact decimal strings (64-bit ids). */
  bigIntFields?: readonly string[];
}

/**
 * Answer of {@link WechatHttpClient.requestFile}: a file (bytes, type and the name WeChat gave it),
 * or a successful JSON object (e.g. `{ video_url }`).
 */
export type WechatFileResponse<T extends WechatBaseResponse = WechatBaseResponse> =
  | {
      kind: 'file';
      /** The file's bytes. */
      data: Buffer;
      /** The answer's `Content-Type`, e.g. `image/jpeg`. */
      contentType: string;
      /** The file name of the answer's `Content-Disposition`, if any. */
      fileName?: string;
    }
  | { kind: 'json'; data: T };

/** Fields every WeChat JSON answer may carry; success is `errcode` absent or 0. */
export interface WechatBaseResponse {
  errcode?: number;
  errmsg?: string;
}

/** Result of a call whose answer carries nothing but its status: WeChat's answer as `raw`. */
export interface WechatOkResult {
  raw: WechatBaseResponse;
}

/** Argument of `client.request()`: any WeChat endpoint, with the token added to its query. */
export interface WechatRawRequest {
  /** `GET` or `POST`. */
  method: WechatHttpMethod;
  /** API path relative to `apiBaseUrl`, starting with `/`, without a query (e.g. `/cgi-bin/user/get`). */
  path: string;
  /** Query parameters besides `access_token` (which is added and may not be given). */
  query?: Readonly<Record<string, WechatQueryValue>>;
  /** JSON body (POST), sent as raw UTF-8. */
  body?: unknown;
  /** A multipart body (POST) instead of `body`: Node's global `FormData`. */
  form?: FormData;
  /** Answer fields whose integers are returned as exact decimal strings (64-bit ids). */
  bigIntFields?: readonly string[];
}

/** Answer of `GET /cgi-bin/token` and `POST /cgi-bin/stable_token`. */
export interface WechatAccessTokenResponse extends WechatBaseResponse {
  access_token: string;
  /** Seconds the token stays valid (7200 normally). */
  expires_in: number;
}

/** One value of a template message (`data.<key>`). */
export interface WechatTemplateDataItem {
  value: string;
  /** Ignored by WeChat since 2023; kept for older templates. */
  color?: string;
}

/** Mini program a template message opens (wins over `url` when the client can open it). */
export interface WechatTemplateMiniProgram {
  appid: string;
  pagepath?: string;
}

/** Body of `POST /cgi-bin/message/template/send`. */
export interface WechatTemplateMessage {
  /** The recipient's openid. */
  touser: string;
  template_id: string;
  url?: string;
  miniprogram?: WechatTemplateMiniProgram;
  data: Record<string, WechatTemplateDataItem>;
  /** De-duplication key: the same openid + client_msg_id is sent once within 10 minutes. */
  client_msg_id?: string;
}

/** Result of {@link WechatClientService.sendTemplateMessage}. */
export interface WechatTemplateMessageResult {
  /**
   * WeChat's `msgid` as an exact decimal string (it is a 64-bit integer; a JS number would round
   * it above 2^53). The `TEMPLATESENDJOBFINISH` event carries the same value in `MsgID`.
   */
  msgId: string;
}

/** Raw answer of the template send API (`msgid` kept as a string by the client). */
export interface WechatTemplateSendResponse extends WechatBaseResponse {
  msgid: string;
}

/** `action_name` of `POST /cgi-bin/qrcode/create`. */
export type WechatQRCodeActionName =
  'QR_SCENE' | 'QR_STR_SCENE' | 'QR_LIMIT_SCENE' | 'QR_LIMIT_STR_SCENE';

/** Argument of {@link WechatClientService.createQRCode}. */
export interface WechatQRCodeRequest {
  /**
   * A number picks `QR_SCENE` / `QR_LIMIT_SCENE` (`scene_id`): a non-zero signed 32-bit integer for
   * temporary codes, 1–100000 for permanent ones. A string picks `QR_STR_SCENE` /
   * `QR_LIMIT_STR_SCENE` (`scene_str`, 1–64 characters), even when it consists of digits.
   */
  scene: string | number;
  /** Lifetime of a temporary code: 60–2592000 s; absent → WeChat's default (60 s). */
  expireSeconds?: number;
  /** A permanent code (≤ 100 000 per account) instead of a temporary one. Default false. */
  permanent?: boolean;
}

/** Body of `POST /cgi-bin/qrcode/create`. */
export interface WechatQRCodeCreateBody {
  expire_seconds?: number;
  action_name: WechatQRCodeActionName;
  action_info: { scene: { scene_id: number } | { scene_str: string } };
}

/** Raw answer of `POST /cgi-bin/qrcode/create`. */
export interface WechatQRCodeCreateResponse extends WechatBaseResponse {
  ticket: string;
  /** Absent for permanent codes. */
  expire_seconds?: number;
  url: string;
}

/** Result of {@link WechatClientService.createQRCode}. */
export interface WechatQRCode {
  /** The ticket (may contain `+`, `/`, `=`). */
  ticket: string;
  /** The QR payload, to render the code yourself. */
  url: string;
  /** Seconds the code stays valid; absent for permanent codes. */
  expireSeconds?: number;
  /** `https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=<url-encoded ticket>` (no token needed). */
  imageUrl: string;
}

/** Language of the user info APIs. */
export type WechatUserLang = 'zh_CN' | 'zh_TW' | 'en';

/** How a user came to follow the account (`subscribe_scene`); WeChat may add values. */
export type WechatSubscribeScene =
  | 'ADD_SCENE_SEARCH'
  | 'ADD_SCENE_ACCOUNT_MIGRATION'
  | 'ADD_SCENE_PROFILE_CARD'
  | 'ADD_SCENE_QR_CODE'
  | 'ADD_SCENE_PROFILE_LINK'
  | 'ADD_SCENE_PROFILE_ITEM'
  | 'ADD_SCENE_PAID'
  | 'ADD_SCENE_WECHAT_ADVERTISEMENT'
  | 'ADD_SCENE_REPRINT'
  | 'ADD_SCENE_LIVESTREAM'
  | 'ADD_SCENE_CHANNELS'
  | 'ADD_SCENE_OTHERS'
  | (string & {});

/**
 * Answer of `GET /cgi-bin/user/info` (and one entry of the batch API). When `subscribe` is 0 the
 * user does not follow the account and only `subscribe` and `openid` (and maybe `unionid`) are
 * returned. `nickname`, `headimgurl`, `sex`, `city`, `province`, `country` are no longer returned
 * since 2021-12-27; they are kept optional for old recorded data.
 */
export interface WechatUserInfo {
  /** 1 = follows the account, 0 = does not (then most fields are absent). */
  subscribe: 0 | 1;
  openid: string;
  language?: string;
  /** Unix seconds of the (last) follow. */
  subscribe_time?: number;
  /** Only when the account is bound to an Open Platform account. */
  unionid?: string;
  remark?: string;
  groupid?: number;
  tagid_list?: number[];
  subscribe_scene?: WechatSubscribeScene;
  qr_scene?: number;
  qr_scene_str?: string;
  /** @deprecated no longer returned by WeChat. */
  nickname?: string;
  /** @deprecated no longer returned by WeChat. */
  sex?: number;
  /** @deprecated no longer returned by WeChat. */
  city?: string;
  /** @deprecated no longer returned by WeChat. */
  province?: string;
  /** @deprecated no longer returned by WeChat. */
  country?: string;
  /** @deprecated no longer returned by WeChat. */
  headimgurl?: string;
}

/** Raw answer of `GET /cgi-bin/user/info`. */
export type WechatUserInfoResponse = WechatUserInfo & WechatBaseResponse;

/** One entry of a batch user info request. */
export interface WechatBatchGetUserItem {
  openid: string;
  /** Default `zh_CN`. */
  lang?: WechatUserLang;
}

/** Raw answer of `POST /cgi-bin/user/info/batchget`. */
export interface WechatBatchGetUserInfoResponse extends WechatBaseResponse {
  user_info_list: WechatUserInfo[];
}

/** One article of a `news` customer-service message (WeChat accepts one). */
export interface WechatCustomNewsArticle {
  title: string;
  description?: string;
  url?: string;
  picurl?: string;
}

/** The per-type payload of a customer-service message, by `msgtype`. */
export type WechatCustomMessageContent =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'image'; image: { media_id: string } }
  | { msgtype: 'voice'; voice: { media_id: string } }
  | {
      msgtype: 'video';
      video: { media_id: string; thumb_media_id: string; title?: string; description?: string };
    }
  | {
      msgtype: 'music';
      music: {
        title?: string;
        description?: string;
        musicurl: string;
        hqmusicurl: string;
        thumb_media_id: string;
      };
    }
  | { msgtype: 'news'; news: { articles: [WechatCustomNewsArticle] } }
  | { msgtype: 'mpnews'; mpnews: { media_id: string } }
  | { msgtype: 'mpnewsarticle'; mpnewsarticle: { article_id: string } }
  | {
      msgtype: 'msgmenu';
      msgmenu: {
        head_content: string;
        list: { id: string; content: string }[];
        tail_content: string;
      };
    }
  | { msgtype: 'wxcard'; wxcard: { card_id: string } }
  | {
      msgtype: 'miniprogrampage';
      miniprogrampage: { title: string; appid: string; pagepath: string; thumb_media_id: string };
    };

/**
 * Body of `POST /cgi-bin/message/custom/send`. Allowed only within WeChat's interaction windows
 * (e.g. 48 h after a user message); outside them WeChat answers 45015 / 45047.
 */
export type WechatCustomMessage = WechatCustomMessageContent & {
  /** The recipient's openid. */
  touser: string;
  /** Send as this customer-service account. */
  customservice?: { kf_account: string };
};
