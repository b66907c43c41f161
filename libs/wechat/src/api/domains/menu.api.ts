import type { WechatApiCaller } from '../wechat-api.caller';
import type { WechatBaseResponse, WechatOkResult } from '../wechat-api.interfaces';
import { requireText } from './domain-validation';
import type {
  WechatConditionalMenu,
  WechatMenu,
  WechatMenuAddConditionalResponse,
  WechatMenuButton,
  WechatMenuGetResponse,
  WechatMenuState,
  WechatMenuTryMatchResponse,
  WechatSelfMenuInfo,
  WechatSelfMenuInfoResponse,
} from './menu.interfaces';
import { validateMatchRule, validateMenu } from './menu.validation';

/** API paths of the menu domain. */
export const MENU_PATHS = {
  create: '/cgi-bin/menu/create',
  get: '/cgi-bin/menu/get',
  delete: '/cgi-bin/menu/delete',
  currentSelfMenu: '/cgi-bin/get_current_selfmenu_info',
  addConditional: '/cgi-bin/menu/addconditional',
  deleteConditional: '/cgi-bin/menu/delconditional',
  tryMatch: '/cgi-bin/menu/trymatch',
} as const;

/**
 * `client.menu`: the custom menu. Create and delete cost 1 000 calls a day, so menus are checked
 * (counts, types, UTF-8 byte lengths) before they are sent.
 */
export class WechatMenuApi {
  /** @param api the account's token-authenticated request pipeline. */
  constructor(private readonly api: WechatApiCaller) {}

  /**
   * Replaces the default menu (`POST /cgi-bin/menu/create`).
   *
   * @throws WechatValidationError naming the field WeChat would refuse, before any HTTP call.
   */
  async create(menu: WechatMenu): Promise<WechatOkResult> {
    validateMenu(menu);
    const raw = await this.api.call<WechatBaseResponse>({
      method: 'POST',
      path: MENU_PATHS.create,
      body: { button: menu.button },
    });
    return { raw };
  }

  /** The menus created through the API (`GET /cgi-bin/menu/get`); WeChat answers 46003 for none. */
  async get(): Promise<WechatMenuState> {
    const raw = await this.api.call<WechatMenuGetResponse>({ method: 'GET', path: MENU_PATHS.get });
    return {
      menu: { button: raw.menu?.button ?? [] },
      conditionalMenus: raw.conditionalmenu ?? [],
      raw,
    };
  }

  /** What is live, console menus included (`GET /cgi-bin/get_current_selfmenu_info`). */
  async getCurrentSelfMenu(): Promise<WechatSelfMenuInfo> {
    const raw = await this.api.call<WechatSelfMenuInfoResponse>({
      method: 'GET',
      path: MENU_PATHS.currentSelfMenu,
    });
    return {
      isMenuOpen: raw.is_menu_open === 1,
      buttons: raw.selfmenu_info?.button ?? [],
      raw,
    };
  }

  /** Deletes the default menu and every conditional menu (`GET /cgi-bin/menu/delete`). */
  async delete(): Promise<WechatOkResult> {
    const raw = await this.api.call<WechatBaseResponse>({ method: 'GET', path: MENU_PATHS.delete });
    return { raw };
  }

  /**
   * Adds a conditional menu (`POST /cgi-bin/menu/addconditional`); a default menu must exist.
   *
   * @returns its `menuid` as a string.
   * @throws WechatValidationError for a bad menu or an empty match rule.
   */
  async addConditional(
    menu: WechatConditionalMenu,
  ): Promise<{ menuId: string; raw: WechatMenuAddConditionalResponse }> {
    validateMenu(menu);
    validateMatchRule(menu.matchrule);
    const raw = await this.api.call<WechatMenuAddConditionalResponse>({
      method: 'POST',
      path: MENU_PATHS.addConditional,
      body: { button: menu.button, matchrule: menu.matchrule },
      bigIntFields: ['menuid'],
    });
    return { menuId: String(raw.menuid), raw };
  }

  /** Deletes one conditional menu (`POST /cgi-bin/menu/delconditional`). */
  async deleteConditional(menuId: string): Promise<WechatOkResult> {
    requireText(menuId, 'menuId');
    const raw = await this.api.call<WechatBaseResponse>({
      method: 'POST',
      path: MENU_PATHS.deleteConditional,
      body: { menuid: menuId },
    });
    return { raw };
  }

  /** The menu a user would see (`POST /cgi-bin/menu/trymatch`; `userId` = openid or WeChat id). */
  async tryMatch(
    userId: string,
  ): Promise<{ buttons: WechatMenuButton[]; raw: WechatMenuTryMatchResponse }> {
    requireText(userId, 'userId');
    const raw = await this.api.call<WechatMenuTryMatchResponse>({
      method: 'POST',
      path: MENU_PATHS.tryMatch,
      body: { user_id: userId },
    });
    return { buttons: raw.button ?? [], raw };
  }
}
