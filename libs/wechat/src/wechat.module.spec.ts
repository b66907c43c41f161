import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { AccessTokenService } from './token/access-token.service';
import { WechatClientService } from './api/wechat-client.service';
import { MsgCryptService } from './crypto/msg-crypt.service';
import { WechatConfigError } from './errors/wechat-config.error';
import type { ResolvedWechatOptions } from './interfaces/resolved-wechat-options.interface';
import type { WechatModuleOptions } from './interfaces/wechat-module-options.interface';
import { WECHAT_OPTIONS } from './wechat.constants';
import { WechatModule } from './wechat.module';
import { OnWechatMessage } from './decorators/on-wechat-message.decorator';
import { WechatHandlerRegistry } from './discovery/wechat-handler.registry';

const OPTIONS: WechatModuleOptions = {
  appId: 'wx1234567890abcdef',
  appSecret: 'app-secret',
  token: 'tok123',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};

@Injectable()
class OptionsFactory {
  createWechatOptions(): WechatModuleOptions {
    return OPTIONS;
  }
}

@Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
class OptionsFactoryModule {}

const wechatConfig = registerAs('wechat', () => OPTIONS);

const variants: Array<[string, () => DynamicModule]> = [
  ['forRoot', () => WechatModule.forRoot(OPTIONS)],
  ['forRootAsync useFactory', () => WechatModule.forRootAsync({ useFactory: () => OPTIONS })],
  ['forRootAsync useClass', () => WechatModule.forRootAsync({ useClass: OptionsFactory })],
  [
    'forRootAsync useExisting',
    () =>
      WechatModule.forRootAsync({ imports: [OptionsFactoryModule], useExisting: OptionsFactory }),
  ],
  [
    'forRootAsync registerAs().asProvider()',
    () => WechatModule.forRootAsync(wechatConfig.asProvider()),
  ],
];

describe('WechatModule', () => {
  describe.each(variants)('%s', (_name, build) => {
    it('provides the three services and the resolved options', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [ConfigModule.forRoot({ ignoreEnvFile: true }), build()],
      }).compile();
      expect(moduleRef.get(WechatClientService)).toBeInstanceOf(WechatClientService);
      expect(moduleRef.get(AccessTokenService)).toBeInstanceOf(AccessTokenService);
      const crypt = moduleRef.get(MsgCryptService);
      expect(crypt.isEncryptionEnabled).toBe(true);
      const options = moduleRef.get<ResolvedWechatOptions>(WECHAT_OPTIONS);
      expect(options).toMatchObject({
        appId: OPTIONS.appId,
        apiBaseUrl: 'https://api.weixin.qq.com',
        tokenMode: 'token',
        keyPrefix: 'wechat:',
        tokenSafetyMarginSeconds: 300,
        maxBodyBytes: 65536,
        bodyReadTimeoutMs: 3000,
        requireEncryption: false,
        storeWaitMs: 1500,
        replayWindowSeconds: 300,
        rethrowHandlerErrors: false,
      });
      await moduleRef.close();
    });
  });

  it('isGlobal makes the services injectable in other modules', async () => {
    @Injectable()
    class Consumer {
      constructor(readonly client: WechatClientService) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [WechatModule.forRoot({ ...OPTIONS, isGlobal: true }), FeatureModule],
    }).compile();
    expect(moduleRef.get(Consumer).client).toBeInstanceOf(WechatClientService);
    await moduleRef.close();
  });

  describe('start-up validation', () => {
    const cases: Array<[string, Partial<WechatModuleOptions> & Record<string, unknown>, RegExp]> = [
      ['missing appId', { appId: '' }, /"appId" is missing/],
      ['missing appSecret', { appSecret: undefined }, /"appSecret" is missing/],
      ['missing token', { token: undefined, encodingAESKey: undefined }, /"token" is missing/],
      ['token with symbols', { token: 'bad token!' }, /"token" must be 3-32 letters or digits/],
      [
        'short AES key',
        { encodingAESKey: 'abc' },
        /43-character EncodingAESKey .*got 3 characters/,
      ],
      ['AES key with symbols', { encodingAESKey: `${'a'.repeat(42)}+` }, /only letters and digits/],
      [
        'previous key alone',
        { encodingAESKey: undefined, previousEncodingAESKey: 'a'.repeat(43) },
        /"encodingAESKey" is not/,
      ],
      ['bad tokenMode', { tokenMode: 'x' as never }, /"tokenMode" must be/],
      ['bad apiBaseUrl', { apiBaseUrl: 'ftp://x' }, /"apiBaseUrl" must be an http\(s\) URL/],
      [
        'negative timeout',
        { requestTimeoutMs: -1 },
        /"requestTimeoutMs" must be a positive integer/,
      ],
      [
        'requireEncryption without key',
        { requireEncryption: true, encodingAESKey: undefined },
        /"requireEncryption" is on/,
      ],
      ['bad redis option', { redis: 42 as never }, /"redis" must be an ioredis client/],
      ['replyTimeoutMs at 5 s', { replyTimeoutMs: 5000 }, /"replyTimeoutMs" must be under 5000/],
      ['zero dedupTtlSeconds', { dedupTtlSeconds: 0 }, /"dedupTtlSeconds" must be a positive/],
      ['negative storeWaitMs', { storeWaitMs: -1 }, /"storeWaitMs" must be a non-negative/],
      ['fractional storeWaitMs', { storeWaitMs: 1.5 }, /"storeWaitMs" must be a non-negative/],
      [
        'negative replayWindowSeconds',
        { replayWindowSeconds: -1 },
        /"replayWindowSeconds" must be a non-negative integer/,
      ],
      [
        'zero bodyReadTimeoutMs',
        { bodyReadTimeoutMs: 0 },
        /"bodyReadTimeoutMs" must be a positive integer/,
      ],
    ];

    it.each(cases)('%s → WechatConfigError at boot', async (_name, patch, message) => {
      const attempt = Test.createTestingModule({
        imports: [WechatModule.forRootAsync({ useFactory: () => ({ ...OPTIONS, ...patch }) })],
      }).compile();
      await expect(attempt).rejects.toThrow(WechatConfigError);
      await expect(
        Test.createTestingModule({
          imports: [WechatModule.forRoot({ ...OPTIONS, ...patch })],
        }).compile(),
      ).rejects.toThrow(message);
    });

    it('never repeats the AES key or the secret in the message', async () => {
      const key = 'SECRETKEY'.repeat(5);
      const error = await Test.createTestingModule({
        imports: [WechatModule.forRoot({ ...OPTIONS, encodingAESKey: key })],
      })
        .compile()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WechatConfigError);
      expect((error as Error).message).not.toContain('SECRETKEY');
    });

    it('replayWindowSeconds: 0 turns the replay window off', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [WechatModule.forRoot({ ...OPTIONS, replayWindowSeconds: 0 })],
      }).compile();
      expect(moduleRef.get<ResolvedWechatOptions>(WECHAT_OPTIONS).replayWindowSeconds).toBe(0);
      await moduleRef.close();
    });

    it('path: false mounts no endpoint, and then no token is needed', async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [WechatModule.forRoot({ appId: OPTIONS.appId, appSecret: 's', path: false })],
      }).compile();
      expect(moduleRef.get(MsgCryptService).isEncryptionEnabled).toBe(false);
      await moduleRef.close();
    });

    it('handlers registered but no token → WechatConfigError at init', async () => {
      @Injectable()
      class Handlers {
        @OnWechatMessage('text')
        text(): string {
          return 'x';
        }
      }
      const moduleRef = await Test.createTestingModule({
        imports: [WechatModule.forRoot({ appId: OPTIONS.appId, appSecret: 's', path: false })],
        providers: [Handlers],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await expect(app.init()).rejects.toThrow(/handler\(s\) are registered but no callback token/);
      await app.close();
    });

    it('finds handlers on providers and controllers, once each', async () => {
      @Injectable()
      class Handlers {
        @OnWechatMessage(['text', 'image'])
        text(): string {
          return 'x';
        }
      }
      const moduleRef = await Test.createTestingModule({
        imports: [WechatModule.forRoot(OPTIONS)],
        providers: [Handlers],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      expect(app.get(WechatHandlerRegistry).size).toBe(1);
      await app.close();
    });
  });

  describe('the start-up advice on requireEncryption', () => {
    /** Starts an app with `options` and returns what the module logged. */
    async function startupLog(options: WechatModuleOptions, path?: false): Promise<string[]> {
      const lines: string[] = [];
      const record = (message: unknown): void => void lines.push(String(message));
      const logger = { log: record, warn: record, error: record, debug: record, verbose: record };
      const moduleRef = await Test.createTestingModule({
        imports: [WechatModule.forRoot({ ...options, ...(path === false ? { path } : {}) })],
      }).compile();
      const app = moduleRef.createNestApplication({ logger });
      await app.init();
      await app.close();
      return lines;
    }

    const advice = (lines: string[]): string[] =>
      lines.filter((line) => line.includes('requireEncryption'));

    it('recommends requireEncryption: true once, without secrets, when a key is set and it is off', async () => {
      const lines = advice(await startupLog({ ...OPTIONS, redis: undefined }));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/plaintext pushes are accepted/);
      expect(lines[0]).toMatch(/requireEncryption: true/);
      for (const secret of [OPTIONS.encodingAESKey, OPTIONS.token, OPTIONS.appSecret]) {
        expect(lines[0]).not.toContain(secret);
      }
    });

    it('says nothing when requireEncryption is on, with no key, or with no endpoint', async () => {
      expect(advice(await startupLog({ ...OPTIONS, requireEncryption: true }))).toEqual([]);
      expect(advice(await startupLog({ ...OPTIONS, encodingAESKey: undefined }))).toEqual([]);
      expect(advice(await startupLog(OPTIONS, false))).toEqual([]);
    });
  });
});
