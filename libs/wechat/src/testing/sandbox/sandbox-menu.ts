import {
  bytesOf,
  jsonBody,
  ok,
  SandboxApiError,
  type Json,
  type SandboxAnswer,
  type SandboxDomain,
  type SandboxRequest,
} from './sandbox-request';

/** What the sandbox holds of the account's menus. */
export interface FixtureMenus {
  /** The default menu's buttons as created, or undefined when there is none. */
  readonly menu?: Json[];
  /** The conditional menus, with `menuid` and `matchrule`. */
  readonly conditional: readonly Json[];
}

const KEY_TYPES = [
  'click',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
];
const ID_TYPES: Readonly<Record<string, string>> = {
  media_id: 'media_id',
  view_limited: 'media_id',
  article_id: 'article_id',
  article_view_limited: 'article_id',
};

const PATHS = {
  create: '/cgi-bin/menu/create',
  get: '/cgi-bin/menu/get',
  delete: '/cgi-bin/menu/delete',
  currentSelfMenu: '/cgi-bin/get_current_selfmenu_info',
  addConditional: '/cgi-bin/menu/addconditional',
  deleteConditional: '/cgi-bin/menu/delconditional',
  tryMatch: '/cgi-bin/menu/trymatch',
} as const;

/**
 * Custom menus, with WeChat's checks and codes: 1–3 buttons (40016), 1–5 sub-buttons (40023), a
 * known type (40017 / 40024), name bytes ≤ 16 / 60 (40018 / 40025), key bytes ≤ 128 (40019 /
 * 40026), url bytes ≤ 1024 (40020 / 40027); `menu/get` without a menu → 46003; a conditional menu
 * needs a default one (65303) and a rule (65304); an unknown menuid → 65301. `trymatch` picks the
 * last conditional menu whose tag the user has (tags from the followers domain).
 */
export class SandboxMenu implements SandboxDomain {
  readonly paths: ReadonlySet<string> = new Set(Object.values(PATHS));
  private buttons: Json[] | undefined;
  private conditional: Json[] = [];
  private nextMenuId = 400_000_001;

  /** @param tagsOf the tag ids of a follower (for trymatch). */
  constructor(private readonly tagsOf: (openid: string) => readonly number[]) {}

  /** The stored menus. */
  get menus(): FixtureMenus {
    return {
      menu: this.buttons ? structuredClone(this.buttons) : undefined,
      conditional: structuredClone(this.conditional),
    };
  }

  /** Sets the default menu as if created in the console (undefined: none). */
  setMenu(buttons: Json[] | undefined): void {
    this.buttons = buttons ? structuredClone(buttons) : undefined;
  }

  reset(): void {
    this.buttons = undefined;
    this.conditional = [];
    this.nextMenuId = 400_000_001;
  }

  route(request: SandboxRequest): SandboxAnswer {
    switch (request.path) {
      case PATHS.create: {
        this.buttons = checkMenu(jsonBody(request).button);
        return ok();
      }
      case PATHS.get: {
        if (!this.buttons) throw new SandboxApiError(46003, 'menu no exist');
        const answer: Json = { menu: { button: this.buttons } };
        if (this.conditional.length > 0) answer.conditionalmenu = this.conditional;
        return JSON.stringify(answer);
      }
      case PATHS.delete:
        this.buttons = undefined;
        this.conditional = [];
        return ok();
      case PATHS.currentSelfMenu:
        return JSON.stringify(
          this.buttons
            ? { is_menu_open: 1, selfmenu_info: { button: this.buttons.map(selfMenuButton) } }
            : { is_menu_open: 0 },
        );
      case PATHS.addConditional:
        return this.addConditional(jsonBody(request));
      case PATHS.deleteConditional: {
        const id = String(jsonBody(request).menuid);
        const index = this.conditional.findIndex((menu) => String(menu.menuid) === id);
        if (index < 0) throw new SandboxApiError(65301, 'no such conditional menu');
        this.conditional.splice(index, 1);
        return ok();
      }
      case PATHS.tryMatch:
        return this.tryMatch(jsonBody(request).user_id);
      default:
        return undefined;
    }
  }

  private addConditional(body: Json): string {
    const buttons = checkMenu(body.button);
    if (!this.buttons) throw new SandboxApiError(65303, 'there is no default menu');
    const rule = body.matchrule as Json | undefined;
    const keys = Object.keys(rule ?? {}).filter((key) => rule?.[key] !== undefined);
    if (keys.length === 0) throw new SandboxApiError(65304, 'match rule empty');
    if (keys.some((key) => key !== 'tag_id' && key !== 'client_platform_type')) {
      throw new SandboxApiError(65320, 'sex, country, language rules are not supported');
    }
    const menuid = this.nextMenuId++;
    this.conditional.push({ button: buttons, matchrule: rule, menuid });
    return JSON.stringify({ menuid });
  }

  private tryMatch(userId: unknown): string {
    if (typeof userId !== 'string' || userId === '') {
      throw new SandboxApiError(40003, 'invalid user_id');
    }
    if (!this.buttons) throw new SandboxApiError(46003, 'menu no exist');
    const tags = this.tagsOf(userId);
    const match = [...this.conditional]
      .reverse()
      .find((menu) => tags.includes(Number((menu.matchrule as Json).tag_id)));
    return JSON.stringify({ button: match ? match.button : this.buttons });
  }
}

function checkLeaf(button: Json, sub: boolean): void {
  const type = button.type;
  const fail = (top: number, nested: number, what: string): never => {
    throw new SandboxApiError(sub ? nested : top, `invalid ${sub ? 'sub ' : ''}button ${what}`);
  };
  if (typeof type !== 'string') return fail(40017, 40024, 'type');
  if (KEY_TYPES.includes(type)) {
    const key = bytesOf(button.key);
    if (key < 1 || key > 128) fail(40019, 40026, 'key size');
  } else if (type === 'view' || type === 'miniprogram') {
    const url = bytesOf(button.url);
    if (url < 1 || url > 1024) fail(40020, 40027, 'url size');
    if (type === 'miniprogram' && (bytesOf(button.appid) < 1 || bytesOf(button.pagepath) < 1)) {
      throw new SandboxApiError(40166, 'invalid appid or pagepath');
    }
  } else if (ID_TYPES[type]) {
    if (bytesOf(button[ID_TYPES[type]]) < 1) {
      throw new SandboxApiError(40007, `invalid ${ID_TYPES[type]}`);
    }
  } else {
    fail(40017, 40024, 'type');
  }
}

/** WeChat's checks of a menu's buttons; returns them as stored. */
function checkMenu(buttons: unknown): Json[] {
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) {
    throw new SandboxApiError(40016, 'invalid button size');
  }
  for (const entry of buttons) {
    const button = (entry ?? {}) as Json;
    const name = bytesOf(button.name);
    if (name < 1 || name > 16) throw new SandboxApiError(40018, 'invalid button name size');
    if (button.sub_button !== undefined) {
      const subs = button.sub_button;
      if (!Array.isArray(subs) || subs.length < 1 || subs.length > 5) {
        throw new SandboxApiError(40023, 'invalid sub button size');
      }
      for (const subEntry of subs) {
        const sub = (subEntry ?? {}) as Json;
        const subName = bytesOf(sub.name);
        if (subName < 1 || subName > 60) {
          throw new SandboxApiError(40025, 'invalid sub button name size');
        }
        checkLeaf(sub, true);
      }
    } else {
      checkLeaf(button, false);
    }
  }
  return structuredClone(buttons as Json[]);
}

/** A button as `get_current_selfmenu_info` shows it (sub-buttons under `list`). */
function selfMenuButton(button: Json): Json {
  const { sub_button: subs, ...rest } = button;
  return Array.isArray(subs) ? { ...rest, sub_button: { list: subs } } : { ...rest };
}
