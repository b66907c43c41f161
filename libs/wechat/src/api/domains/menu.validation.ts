import { WechatValidationError } from '../../errors/wechat-api.error';
import { requireMaxBytes, requireObject } from './domain-validation';
import type { WechatMenu, WechatMenuLeafButton, WechatMenuMatchRule } from './menu.interfaces';

/** Limits of a custom menu, in UTF-8 bytes where lengths (protocol.md §9.4). */
export const MENU_LIMITS = {
  buttons: 3,
  subButtons: 5,
  nameBytes: 16,
  subNameBytes: 60,
  keyBytes: 128,
  urlBytes: 1024,
} as const;

const KEY_TYPES = [
  'click',
  'scancode_push',
  'scancode_waitmsg',
  'pic_sysphoto',
  'pic_photo_or_album',
  'pic_weixin',
  'location_select',
];

function checkLeaf(button: WechatMenuLeafButton, at: string): void {
  const { type } = button as { type?: unknown };
  const fields = button as unknown as Record<string, unknown>;
  if (typeof type !== 'string') {
    throw new WechatValidationError(`${at}.type`, 'a button without sub_button needs a type.');
  }
  if (KEY_TYPES.includes(type)) {
    requireMaxBytes(fields.key, MENU_LIMITS.keyBytes, `${at}.key`);
  } else if (type === 'view') {
    requireMaxBytes(fields.url, MENU_LIMITS.urlBytes, `${at}.url`);
  } else if (type === 'media_id' || type === 'view_limited') {
    requireMaxBytes(fields.media_id, 1024, `${at}.media_id`);
  } else if (type === 'article_id' || type === 'article_view_limited') {
    requireMaxBytes(fields.article_id, 1024, `${at}.article_id`);
  } else if (type === 'miniprogram') {
    requireMaxBytes(fields.url, MENU_LIMITS.urlBytes, `${at}.url`);
    requireMaxBytes(fields.appid, 64, `${at}.appid`);
    requireMaxBytes(fields.pagepath, 1024, `${at}.pagepath`);
  } else {
    throw new WechatValidationError(`${at}.type`, `"${type}" is not a menu button type.`);
  }
}

/**
 * Checks a menu the way WeChat does before it is sent: 1–3 buttons, 1–5 sub-buttons per parent,
 * every type's required field, and the byte lengths of names, keys and URLs.
 *
 * @throws WechatValidationError naming the offending field (e.g. `button[1].sub_button[0].name`).
 */
export function validateMenu(menu: WechatMenu): void {
  requireObject(menu, 'menu');
  const buttons = menu.button;
  if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > MENU_LIMITS.buttons) {
    throw new WechatValidationError(
      'button',
      `a menu has 1 to ${MENU_LIMITS.buttons} buttons (got ${Array.isArray(buttons) ? buttons.length : typeof buttons}).`,
    );
  }
  buttons.forEach((button, index) => {
    const at = `button[${index}]`;
    requireObject(button, at);
    requireMaxBytes(button.name, MENU_LIMITS.nameBytes, `${at}.name`);
    if ('sub_button' in button && button.sub_button !== undefined) {
      const subs = button.sub_button;
      if (!Array.isArray(subs) || subs.length < 1 || subs.length > MENU_LIMITS.subButtons) {
        throw new WechatValidationError(
          `${at}.sub_button`,
          `a parent button has 1 to ${MENU_LIMITS.subButtons} sub-buttons (got ${Array.isArray(subs) ? subs.length : typeof subs}).`,
        );
      }
      subs.forEach((sub, subIndex) => {
        const subAt = `${at}.sub_button[${subIndex}]`;
        requireObject(sub, subAt);
        requireMaxBytes(sub.name, MENU_LIMITS.subNameBytes, `${subAt}.name`);
        checkLeaf(sub, subAt);
      });
    } else {
      checkLeaf(button as WechatMenuLeafButton, at);
    }
  });
}

/** A match rule names at least one criterion (WeChat answers 65304 otherwise). */
export function validateMatchRule(rule: WechatMenuMatchRule): void {
  requireObject(rule, 'matchrule');
  if (rule.tag_id === undefined && rule.client_platform_type === undefined) {
    throw new WechatValidationError(
      'matchrule',
      'needs tag_id or client_platform_type (sex, country and language rules are retired).',
    );
  }
}
