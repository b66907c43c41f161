import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { WECHAT_HANDLER_METADATA } from '../wechat.constants';
import type { WechatHandlerMetadata } from '../interfaces/wechat-handler.interfaces';

/** The only reader of the handler metadata the decorators write. */
@Injectable()
export class WechatMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  /** The registrations on one method, in source order (empty when it is not a handler). */
  getHandlerMetadata(method: unknown): readonly WechatHandlerMetadata[] {
    if (typeof method !== 'function') return [];
    return (
      this.reflector.get<readonly WechatHandlerMetadata[] | undefined>(
        WECHAT_HANDLER_METADATA,
        method,
      ) ?? []
    );
  }
}
