import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WechatConfigError } from '../errors/wechat-config.error';
import { WECHAT_CALLBACK_ENABLED } from '../wechat.constants';
import { createFastifyRawBodyParser, type FastifyStreamParser } from './fastify-raw-body.parser';

/** The parts of a Fastify instance the registrar uses. */
interface FastifyParserHost {
  addContentTypeParser(contentType: string, parser: FastifyStreamParser): unknown;
}

/** One catch-all parser per Fastify instance, shared by every WechatModule of the app. */
const registered = new WeakSet<object>();

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
    @Inject(WECHAT_CALLBACK_ENABLED) private readonly callbackEnabled: boolean,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as typeof this.adapterHost.httpAdapter | undefined;
    if (!this.callbackEnabled || adapter?.getType() !== 'fastify') return;
    const instance = adapter.getInstance<FastifyParserHost & object>();
    if (registered.has(instance)) return;
    try {
      instance.addContentTypeParser('*', createFastifyRawBodyParser());
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
    registered.add(instance);
  }
}
