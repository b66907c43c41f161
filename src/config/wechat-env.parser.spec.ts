import {
  resolveWechatAccounts,
  resolveWechatOptions,
  WechatConfigError,
  type WechatModuleOptions,
} from '@app/wechat';
import { DemoEnvError } from './demo-env.error';
import { wechatOptionsFromEnv, type DemoEnv } from './wechat-env.parser';
import { WECHAT_ENV_TABLE, type AnyEnvRow, type ScalarOptionKey } from './wechat-env.table';

const SECRET = 'appSecretValue0123456789abcdef01';
const TOKEN = 'callbackTok3nValue';
const AES_KEY = 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR';
const OTHER_AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

/** The least a valid environment holds, and the options it gives. */
const BASE_ENV: DemoEnv = {
  WECHAT_APP_ID: 'wx_env_spec',
  WECHAT_APP_SECRET: SECRET,
  WECHAT_TOKEN: TOKEN,
  WECHAT_ENCODING_AES_KEY: AES_KEY,
};
const BASE_OPTIONS: WechatModuleOptions = {
  appId: 'wx_env_spec',
  appSecret: SECRET,
  token: TOKEN,
  encodingAESKey: AES_KEY,
};

const ROWS = Object.entries(WECHAT_ENV_TABLE) as [ScalarOptionKey, AnyEnvRow][];

/** A valid text for a string option (any other string option takes `Sample42`). */
const STRING_SAMPLES: Partial<Record<ScalarOptionKey, [text: string, value: string]>> = {
  appId: ['wx_other_account', 'wx_other_account'],
  encodingAESKey: [OTHER_AES_KEY, OTHER_AES_KEY],
  previousEncodingAESKey: [OTHER_AES_KEY, OTHER_AES_KEY],
  apiBaseUrl: ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080/'],
  oauthBaseUrl: ['http://127.0.0.1:8081', 'http://127.0.0.1:8081'],
  keyPrefix: ['demo:env:', 'demo:env:'],
};

/** Each variable's texts and the option values they give. */
function samples([option, row]: [ScalarOptionKey, AnyEnvRow]): [string, unknown][] {
  switch (row.type) {
    case 'number':
      return [
        ['4321', 4321],
        [' 17 ', 17],
      ];
    case 'boolean':
      return [
        ['true', true],
        ['FALSE', false],
      ];
    case 'enum':
      return Object.keys(row.values ?? {}).map((v) => [v, v]);
    default:
      return [STRING_SAMPLES[option] ?? ['Sample42', 'Sample42']];
  }
}

const CASES = ROWS.flatMap((entry) =>
  samples(entry).map(([text, value]) => ({
    option: entry[0],
    variable: entry[1].variable,
    text,
    value,
  })),
);

/** `SOME_OPTION_NAME` for `someOptionName`, a run of capitals being one word (`AES`). */
function upperSnake(option: string): string {
  return option
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}

function refusal(env: DemoEnv): DemoEnvError {
  try {
    wechatOptionsFromEnv(env);
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(DemoEnvError);
    const refused = error as DemoEnvError;
    // No secret of the environment, in the message or in its cause.
    for (const [, row] of ROWS) {
      const value = env[row.variable];
      if (row.type === 'secret' && value) {
        expect(refused.message).not.toContain(value);
        expect(String((refused.cause as Error | undefined)?.message)).not.toContain(value);
      }
    }
    return refused;
  }
  throw new Error('the environment was accepted');
}

describe('wechatOptionsFromEnv', () => {
  it.each(CASES)(
    '$variable=$text reaches $option as $value',
    ({ option, variable, text, value }) => {
      expect(wechatOptionsFromEnv({ ...BASE_ENV, [variable]: text })).toEqual({
        ...BASE_OPTIONS,
        [option]: value,
      });
    },
  );

  it('WECHAT_REPLAY_WINDOW_SECONDS=0 turns the replay window off (replaying recorded pushes)', () => {
    expect(wechatOptionsFromEnv({ ...BASE_ENV, WECHAT_REPLAY_WINDOW_SECONDS: '0' })).toEqual({
      ...BASE_OPTIONS,
      replayWindowSeconds: 0,
    });
  });

  it('covers every variable of the table', () => {
    expect(new Set(CASES.map((c) => c.variable)).size).toBe(ROWS.length);
  });

  it('leaves an unset or empty variable out, so the module default applies', () => {
    expect(wechatOptionsFromEnv(BASE_ENV)).toEqual(BASE_OPTIONS);
    expect(
      wechatOptionsFromEnv({ ...BASE_ENV, WECHAT_MAX_BODY_BYTES: '', WECHAT_TOKEN_MODE: '' }),
    ).toEqual(BASE_OPTIONS);
  });

  it('sets every variable at once', () => {
    const env = Object.fromEntries(CASES.map((c) => [c.variable, c.text]));
    const expected = Object.fromEntries(CASES.map((c) => [c.option, c.value]));
    expect(wechatOptionsFromEnv(env)).toEqual(expected);
  });

  it.each([
    [{ REDIS_URL: 'redis://127.0.0.1:6379' }, 'redis'],
    [{ REDIS_SENTINELS: '127.0.0.1:26379' }, 'redis'],
    [{ REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' }, 'cluster'],
  ])('shares the token through the client named default with %j', (redisEnv, kind) => {
    expect(wechatOptionsFromEnv({ ...BASE_ENV, ...redisEnv })).toEqual({
      ...BASE_OPTIONS,
      redis: { clientName: 'default', kind },
    });
  });

  it('stops on a malformed Redis variable, naming it', () => {
    expect(() => wechatOptionsFromEnv({ ...BASE_ENV, REDIS_CLUSTER_NODES: '10.0.0.1' })).toThrow(
      new DemoEnvError(
        'REDIS_CLUSTER_NODES',
        'REDIS_CLUSTER_NODES must be a comma-separated list of host:port (got "10.0.0.1").',
      ),
    );
  });

  describe('stops start-up on a bad value, naming the variable and what it accepts', () => {
    it.each([
      [
        'a number that is not one',
        { WECHAT_MAX_BODY_BYTES: 'lots' },
        'WECHAT_MAX_BODY_BYTES',
        'WECHAT_MAX_BODY_BYTES must be a positive integer (got "lots").',
      ],
      [
        'a hexadecimal number',
        { WECHAT_REQUEST_TIMEOUT_MS: '0x10' },
        'WECHAT_REQUEST_TIMEOUT_MS',
        'WECHAT_REQUEST_TIMEOUT_MS must be a positive integer (got "0x10").',
      ],
      [
        'a fraction',
        { WECHAT_DEDUP_TTL_SECONDS: '1.5' },
        'WECHAT_DEDUP_TTL_SECONDS',
        'WECHAT_DEDUP_TTL_SECONDS must be a positive integer (got "1.5").',
      ],
      [
        'a negative number',
        { WECHAT_MAX_RETRIES: '-1' },
        'WECHAT_MAX_RETRIES',
        'WECHAT_MAX_RETRIES must be a non-negative integer (got "-1").',
      ],
      [
        'a number out of range',
        { WECHAT_REPLY_TIMEOUT_MS: '6000' },
        'WECHAT_REPLY_TIMEOUT_MS',
        'WECHAT_REPLY_TIMEOUT_MS must be under 5000: WeChat drops the connection after 5 s (got 6000).',
      ],
      [
        'a boolean that is not one',
        { WECHAT_REQUIRE_ENCRYPTION: 'maybe' },
        'WECHAT_REQUIRE_ENCRYPTION',
        'WECHAT_REQUIRE_ENCRYPTION must be true or false (got "maybe").',
      ],
      [
        'a boolean spelt 1',
        { WECHAT_LATE_REPLY_VIA_CUSTOM_MESSAGE: '1' },
        'WECHAT_LATE_REPLY_VIA_CUSTOM_MESSAGE',
        'WECHAT_LATE_REPLY_VIA_CUSTOM_MESSAGE must be true or false (got "1").',
      ],
      [
        'an enum value it does not have',
        { WECHAT_TOKEN_MODE: 'classic' },
        'WECHAT_TOKEN_MODE',
        'WECHAT_TOKEN_MODE must be "token" or "stable_token" (got "classic").',
      ],
      [
        'an URL that is not http(s)',
        { WECHAT_API_BASE_URL: 'ftp://example.com' },
        'WECHAT_API_BASE_URL',
        'WECHAT_API_BASE_URL must be an http(s) URL such as https://api.weixin.qq.com (got "ftp://example.com").',
      ],
      [
        'a key one character short',
        { WECHAT_ENCODING_AES_KEY: AES_KEY.slice(1) },
        'WECHAT_ENCODING_AES_KEY',
        'WECHAT_ENCODING_AES_KEY must be the 43-character EncodingAESKey from the admin console (got 42 characters).',
      ],
      [
        'a key with a character it may not hold',
        { WECHAT_PREVIOUS_ENCODING_AES_KEY: `${OTHER_AES_KEY.slice(1)}+` },
        'WECHAT_PREVIOUS_ENCODING_AES_KEY',
        'WECHAT_PREVIOUS_ENCODING_AES_KEY may contain only letters and digits.',
      ],
      [
        'a callback token with a symbol',
        { WECHAT_TOKEN: 'tok!en' },
        'WECHAT_TOKEN',
        'WECHAT_TOKEN must be 3-32 letters or digits, as the admin console requires (got 6 characters).',
      ],
      [
        'a missing AppSecret',
        { WECHAT_APP_SECRET: '' },
        'WECHAT_APP_SECRET',
        'WECHAT_APP_SECRET is missing: set it to the AppSecret of the Official Account.',
      ],
      [
        'requireEncryption without a key',
        { WECHAT_REQUIRE_ENCRYPTION: 'true', WECHAT_ENCODING_AES_KEY: '' },
        'WECHAT_REQUIRE_ENCRYPTION',
        'WECHAT_REQUIRE_ENCRYPTION is on but no WECHAT_ENCODING_AES_KEY is configured.',
      ],
      [
        'a previous key without a current one',
        { WECHAT_PREVIOUS_ENCODING_AES_KEY: OTHER_AES_KEY, WECHAT_ENCODING_AES_KEY: '' },
        'WECHAT_PREVIOUS_ENCODING_AES_KEY',
        'WECHAT_PREVIOUS_ENCODING_AES_KEY is set but WECHAT_ENCODING_AES_KEY is not.',
      ],
    ])('%s', (_what, change: Record<string, string>, variable, detail) => {
      const error = refusal({ ...BASE_ENV, ...change });
      expect(error.message).toBe(detail);
      expect(error.variable).toBe(variable);
      expect(error.code).toBe('DEMO_ENV');
    });

    it("keeps the module's error as the cause", () => {
      const error = refusal({ ...BASE_ENV, WECHAT_MAX_BODY_BYTES: 'lots' });
      expect(error.cause).toBeInstanceOf(WechatConfigError);
      expect((error.cause as WechatConfigError).message).toBe(
        'Invalid WechatModule configuration: "maxBodyBytes" must be a positive integer.',
      );
    });

    it('never repeats a secret, whatever is wrong with it', () => {
      const secretValue = 'Sup3rSecretEncodingKeyThatIsTooLongToBeValid';
      const error = refusal({ ...BASE_ENV, WECHAT_ENCODING_AES_KEY: secretValue });
      expect(error.message).toBe(
        'WECHAT_ENCODING_AES_KEY must be the 43-character EncodingAESKey from the admin console (got 44 characters).',
      );
    });
  });
});

describe('WECHAT_ENV_TABLE', () => {
  it.each(ROWS)('names %s WECHAT_ + the option in upper snake case', (option, row) => {
    expect(row.variable).toBe(`WECHAT_${upperSnake(option)}`);
  });

  it('spells the documented names', () => {
    expect(upperSnake('encodingAESKey')).toBe('ENCODING_AES_KEY');
    expect(ROWS.map(([, row]) => row.variable)).toEqual(
      expect.arrayContaining([
        'WECHAT_APP_ID',
        'WECHAT_APP_SECRET',
        'WECHAT_TOKEN',
        'WECHAT_ENCODING_AES_KEY',
        'WECHAT_PREVIOUS_ENCODING_AES_KEY',
        'WECHAT_API_BASE_URL',
        'WECHAT_MAX_BODY_BYTES',
        'WECHAT_REPLAY_WINDOW_SECONDS',
        'WECHAT_REQUIRE_ENCRYPTION',
        'WECHAT_TOKEN_MODE',
        'WECHAT_REQUEST_TIMEOUT_MS',
        'WECHAT_REPLY_TIMEOUT_MS',
        'WECHAT_DEDUP_TTL_SECONDS',
        'WECHAT_KEY_PREFIX',
      ]),
    );
  });

  it("documents the module's own defaults", () => {
    const raw = { appId: 'wx_defaults', appSecret: SECRET };
    const resolved = resolveWechatOptions(raw, false);
    const accounts = resolveWechatAccounts(raw, false);
    // The options of several accounts are not per-account options: their defaults are the
    // accounts configuration's (defaultAccount has none of its own: it follows the accounts).
    const accountOptions: Record<string, string | number | undefined> = {
      defaultAccount: undefined,
      accountCacheTtlMs: accounts.accountCacheTtlMs,
      accountMissTtlMs: accounts.accountMissTtlMs,
    };
    const documented = Object.fromEntries(ROWS.map(([option, row]) => [option, row.default]));
    const actual = Object.fromEntries(
      ROWS.map(([option]) => {
        const value =
          option === 'appId' || option === 'appSecret'
            ? undefined
            : option in accountOptions
              ? accountOptions[option]
              : resolved[option as keyof typeof resolved];
        return [
          option,
          value === undefined
            ? undefined
            : typeof value === 'object'
              ? JSON.stringify(value)
              : String(value),
        ];
      }),
    );
    expect(documented).toEqual(actual);
  });
});
