// The host app the callback benchmark runs against: the WeChat module with a Redis-backed token
// store, an echo handler, a bare POST route (the baseline), a diagnostic route with the callback's
// HTTP shape but no push handling, and bench-only memory, GC and CPU-time routes.
// Bench-only: nothing here belongs in the library or the demo.
import {
  Controller,
  Get,
  Header,
  HttpCode,
  Inject,
  Injectable,
  Module,
  Post,
  Req,
  Res,
  UseGuards,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import Redis from 'ioredis';
import {
  MsgCryptService,
  OnWechatEvent,
  OnWechatMessage,
  WechatModule,
  WechatSignatureGuard,
  buildReplyXml,
  type WechatMessageOfType,
} from '../libs/wechat/src';
import { BENCH_ECHO_TEXT } from './constants';
import { WechatRawBodyRoute } from '../libs/wechat/src/webhook/raw-body-route.decorator';
import { readRawBody, type RawBodyRequest } from '../libs/wechat/src/webhook/raw-body.reader';
import { sendWechatReply, type HttpReply } from '../libs/wechat/src/webhook/http-reply';

/** What the bench server is started with (passed as JSON in `BENCH_SERVER_CONFIG`). */
export interface BenchServerConfig {
  appId: string;
  appSecret: string;
  token: string;
  encodingAESKey: string;
  apiBaseUrl: string;
  /** Absent: no Redis (the module's in-memory token cache and push de-dup), for a diagnostic run. */
  redisUrl?: string;
}

const BENCH_REDIS = Symbol('BENCH_REDIS');

/** Answers every text message with its own content (a text reply; encrypted in safe mode). */
@Injectable()
export class EchoHandler {
  @OnWechatMessage('text')
  echo(message: WechatMessageOfType<'text'>): string {
    return message.Content;
  }

  /** Handled, no reply: the endpoint answers `success`. */
  @OnWechatEvent('CLICK')
  click(): void {
    // nothing to answer
  }
}

/** The baseline: the cheapest POST route Nest can serve on the same app and adapter. */
@Controller()
export class BareController {
  @Post('bare')
  @HttpCode(200)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  bare(): string {
    return 'success';
  }
}

/**
 * Diagnostic: the callback's HTTP shape without the push handling. The same signature guard, the
 * same raw body reading, and an encrypted reply envelope of the echo row's size, rendered once at
 * start-up; no decryption, parsing, de-dup, handler or encryption per request. The gap between
 * this row and the bare route is the cost of WeChat's request and reply shape; the gap between
 * this row and the safe-mode echo is the library's work on a push.
 */
@Controller()
@UseGuards(WechatSignatureGuard)
export class ShapeController {
  private readonly envelope: string;

  constructor(crypt: MsgCryptService) {
    const replyXml = buildReplyXml(
      { type: 'text', content: BENCH_ECHO_TEXT },
      { toUserName: 'gh_0123456789ab', fromUserName: 'o_sandbox_user' },
    );
    this.envelope = crypt.encryptReply(replyXml, { nonce: '1514711492' }).xml;
  }

  @Post('shape')
  @WechatRawBodyRoute()
  async shape(@Req() request: RawBodyRequest, @Res() response: HttpReply): Promise<void> {
    await readRawBody(request, { maxBytes: 65_536, timeoutMs: 3_000 });
    sendWechatReply(response, 'application/xml; charset=utf-8', this.envelope);
  }
}

/** The server process's CPU time so far (all its threads), µs, from `process.cpuUsage()`. */
export interface BenchCpuUsage {
  user: number;
  system: number;
}

/**
 * Bench-only introspection: memory usage, a forced GC (the server runs with --expose-gc), and the
 * process's CPU time, read before and after each load round for the CPU per request.
 */
@Controller('bench')
export class BenchMemoryController {
  @Get('cpu')
  cpu(): BenchCpuUsage {
    return process.cpuUsage();
  }

  @Get('memory')
  memory(): NodeJS.MemoryUsage {
    return process.memoryUsage();
  }

  @Post('gc')
  @HttpCode(200)
  collect(): NodeJS.MemoryUsage & { gc: boolean } {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      gc();
      gc();
    }
    return { ...process.memoryUsage(), gc: gc !== undefined };
  }
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(BENCH_REDIS) private readonly redis: Redis | undefined) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }
}

@Module({})
export class BenchAppModule {
  static register(config: BenchServerConfig): DynamicModule {
    const redis = config.redisUrl
      ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1 })
      : undefined;
    return {
      module: BenchAppModule,
      imports: [
        WechatModule.forRoot({
          appId: config.appId,
          appSecret: config.appSecret,
          token: config.token,
          encodingAESKey: config.encodingAESKey,
          apiBaseUrl: config.apiBaseUrl,
          redis,
        }),
      ],
      controllers: [BareController, ShapeController, BenchMemoryController],
      providers: [EchoHandler, { provide: BENCH_REDIS, useValue: redis }, RedisCloser],
    };
  }
}
