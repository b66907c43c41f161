import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { WECHAT_CALLBACK_ENABLED, WECHAT_OPTIONS } from '../wechat.constants';
import { REQUIRE_ENCRYPTION_ADVICE } from '../wechat.messages';

/**
 * Says once at start-up, with no secret in the line, that `requireEncryption: true` is recommended
 * when the callback endpoint is mounted with an EncodingAESKey but still accepts plaintext pushes:
 * the plaintext `signature` does not cover the body. Plaintext stays accepted by default so that
 * pushes are not lost while the admin console is switched to safe mode.
 */
@Injectable()
export class WechatEncryptionAdvisor implements OnModuleInit {
  private readonly logger = new Logger('WechatModule');

  constructor(
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
    @Inject(WECHAT_CALLBACK_ENABLED) private readonly callbackEnabled: boolean,
  ) {}

  onModuleInit(): void {
    const { encodingAESKey, requireEncryption } = this.options;
    if (this.callbackEnabled && encodingAESKey !== undefined && !requireEncryption) {
      this.logger.warn(REQUIRE_ENCRYPTION_ADVICE);
    }
  }
}
