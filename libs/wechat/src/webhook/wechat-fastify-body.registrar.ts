import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WechatConfigError } from '../errors/wechat-config.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { WECHAT_CALLBACK_ENABLED, WECHAT_OPTIONS } from '../wechat.constants';
import {
  createFastifyRawBodyParser,
  type FastifyRawBodyLimit,
  type FastifyStreamParser,
} from './fastify-raw-body.parser';

/** The parts of a Fastify instance the registrar uses. */
interface FastifyParserHost {
  addContentTypeParser(contentType: string, parser: FastifyStreamParser): unknown;
}

/** One catch-all parser per Fastify instance, shared by every WechatModule of the app. */
const limits = new WeakMap<object, FastifyRawBodyLimit>();

/**
 * Under `@nestjs/platform-fastify`, registers the library's catch-all content-type parser (see
 * {@link createFastifyRawBodyParser}) so the callback route reads WeChat's `text/xml` (and any other
 * type) raw with no set-up by the host; does nothing under Express or without an HTTP server.
 *
 * Runs in `onModuleInit`, during `app.init()` (or `app.listen()`), before Fastify starts.
 */
@Injectable()
export class WechatFastifyBodyRegistrar implements OnModuleInit {
  private readonly logger = new Logger('WechatModule');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
    @Inject(WECHAT_CALLBACK_ENABLED) private readonly callbackEnabled: boolean,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as typeof this.adapterHost.httpAdapter | undefined;
    if (!this.callbackEnabled || adapter?.getType() !== 'fastify') return;
    const instance = adapter.getInstance<FastifyParserHost & object>();
    const { maxBodyBytes } = this.options;
    const limit = limits.get(instance);
    if (limit) {
      limit.maxBytes = Math.max(limit.maxBytes, maxBodyBytes);
      return;
    }
    const created: FastifyRawBodyLimit = { maxBytes: maxBodyBytes };
    try {
      instance.addContentTypeParser('*', createFastifyRawBodyParser(created));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'FST_ERR_CTP_ALREADY_PRESENT') {
        // The host's own catch-all parser keeps other types; a string/Buffer body is still read.
        this.logger.warn(
          'A catch-all Fastify content-type parser is already registered: the WeChat callback uses its result (it must leave a string or Buffer body).',
        );
        return;
      }
      throw new WechatConfigError(
        `could not register the callback's Fastify body parser (${String(code ?? error)}); initialise the app (app.init() or app.listen()) before Fastify is started.`,
      );
    }
    limits.set(instance, created);
  }
}
