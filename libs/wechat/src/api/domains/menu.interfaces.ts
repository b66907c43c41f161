// Argument and result shapes of client.menu (custom menus). Field names are WeChat's own.

import type { WechatBaseResponse } from '../wechat-api.interfaces';

/** Button types that send a `key` to the account (its events carry it as `EventKey`). */
export type WechatMenuKeyButtonType =
  | 'click'
  | 'scancode_push'
  | 'scancode_waitmsg'
  | 'pic_sysphoto'
  | 'pic_photo_or_album'
  | 'pic_weixin'
  | 'location_select';

/** A button that does something (no sub-buttons). */
export type WechatMenuLeafButton =
  | { type: WechatMenuKeyButtonType; name: string; key: string }
  | { type: 'view'; name: string; url: string }
  | { type: 'media_id' | 'view_limited'; name: string; media_id: string }
  | { type: 'article_id' | 'article_view_limited'; name: string; article_id: string }
  | { type: 'miniprogram'; name: string; url: string; appid: string; pagepath: string };

/** A top-level button that opens 1–5 sub-buttons. */
export interface WechatMenuParentButton {
  name: string;
  sub_button: WechatMenuLeafButton[];
}

/** A top-level button. */
export type WechatMenuButton = WechatMenuLeafButton | WechatMenuParentButton;

/**
 * A menu: 1–3 buttons, each a leaf or a parent of 1–5 sub-buttons; names ≤ 16 bytes (sub-buttons
 * ≤ 60), keys ≤ 128 bytes, URLs ≤ 1024 bytes, all counted in UTF-8 bytes.
 */
export interface WechatMenu {
  button: WechatMenuButton[];
}

/** Who sees a conditional menu (at least one rule). */
export interface WechatMenuMatchRule {
  /** A user tag id. */
  tag_id?: string;
  /** `1` iOS, `2` Android, `3` others. */
  client_platform_type?: string;
}

/** A conditional (personalised) menu. */
export interface WechatConditionalMenu extends WechatMenu {
  matchrule: WechatMenuMatchRule;
}

/** Raw answer of `GET /cgi-bin/menu/get`. */
export interface WechatMenuGetResponse extends WechatBaseResponse {
  menu: WechatMenu & { menuid?: number };
  conditionalmenu?: (WechatConditionalMenu & { menuid: number })[];
}

/** Result of `client.menu.get`. */
export interface WechatMenuState {
  /** The default menu as created through the API. */
  menu: WechatMenu;
  /** The conditional menus, with their `menuid`. */
  conditionalMenus: (WechatConditionalMenu & { menuid: number })[];
  raw: WechatMenuGetResponse;
}

/** Raw answer of `GET /cgi-bin/get_current_selfmenu_info`. */
export interface WechatSelfMenuInfoResponse extends WechatBaseResponse {
  is_menu_open: 0 | 1;
  selfmenu_info?: { button: Record<string, unknown>[] };
}

/** Result of `client.menu.getCurrentSelfMenu`: what is live, including menus set in the console. */
export interface WechatSelfMenuInfo {
  isMenuOpen: boolean;
  /** The live buttons, in WeChat's shape (console menus use other fields than API ones). */
  buttons: Record<string, unknown>[];
  raw: WechatSelfMenuInfoResponse;
}

/** Raw answer of `POST /cgi-bin/menu/addconditional`. */
export interface WechatMenuAddConditionalResponse extends WechatBaseResponse {
  menuid: string | number;
}

/** Raw answer of `POST /cgi-bin/menu/trymatch`. */
export interface WechatMenuTryMatchResponse extends WechatBaseResponse {
  button: WechatMenuButton[];
}
