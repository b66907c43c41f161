import { Controller, type Type } from '@nestjs/common';
import { WechatWebhookController } from './wechat-webhook.controller';

/**
 * A subclass of {@link WechatWebhookController} mounted at `path`. Routes, guards and injected
 * dependencies are inherited; only the path is the host's choice, so no metadata is rewritten.
 */
export function createWebhookController(path: string): Type<WechatWebhookController> {
  @Controller(path)
  class WechatCallbackController extends WechatWebhookController {}
  return WechatCallbackController;
}
