import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { WECHAT_OAUTH_USER_PROPERTY } from './wechat-oauth.guard';

/** The session user {@link WechatOAuthGuard} attached to the request (as the host's session read it). */
export const WechatOAuthUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): unknown =>
    context.switchToHttp().getRequest<Record<string, unknown>>()[WECHAT_OAUTH_USER_PROPERTY],
);
