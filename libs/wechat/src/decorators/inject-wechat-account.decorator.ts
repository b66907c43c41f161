import { Inject } from '@nestjs/common';
import {
  getAccessTokenServiceToken,
  getMsgCryptServiceToken,
  getWechatClientToken,
} from '../accounts/wechat-account.tokens';

/**
 * Injects the {@link WechatClientService} of the account `name` (configured at boot), or of the
 * default account without a name: `constructor(@InjectWechatClient('shop') shop: WechatClientService)`.
 * Apply it before `WechatModule.forRoot`/`forRootAsync` is evaluated (as usual: decorated classes
 * are imported by the modules that import `WechatModule`).
 */
export const InjectWechatClient = (name?: string): ParameterDecorator & PropertyDecorator =>
  Inject(getWechatClientToken(name));

/** Injects the {@link AccessTokenService} of the account `name` (the default one without). */
export const InjectAccessTokenService = (name?: string): ParameterDecorator & PropertyDecorator =>
  Inject(getAccessTokenServiceToken(name));

/** Injects the {@link MsgCryptService} of the account `name` (the default one without). */
export const InjectMsgCryptService = (name?: string): ParameterDecorator & PropertyDecorator =>
  Inject(getMsgCryptServiceToken(name));
