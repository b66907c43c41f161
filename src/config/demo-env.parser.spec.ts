import { DemoEnvError } from './demo-env.error';
import { demoSettingsFromEnv, redisUrlFromEnv } from './demo-env.parser';

describe('demoSettingsFromEnv', () => {
  it('defaults to port 3000 on Express, in memory', () => {
    expect(demoSettingsFromEnv({})).toEqual({
      port: 3000,
      httpAdapter: 'express',
      redisUrl: undefined,
    });
    expect(demoSettingsFromEnv({ PORT: '', HTTP_ADAPTER: '', REDIS_URL: '' })).toEqual({
      port: 3000,
      httpAdapter: 'express',
      redisUrl: undefined,
    });
  });

  it('reads PORT, HTTP_ADAPTER (any case) and REDIS_URL', () => {
    expect(
      demoSettingsFromEnv({
        PORT: '0',
        HTTP_ADAPTER: 'Fastify',
        REDIS_URL: 'rediss://user:pw@redis.internal:6380/2',
      }),
    ).toEqual({
      port: 0,
      httpAdapter: 'fastify',
      redisUrl: 'rediss://user:pw@redis.internal:6380/2',
    });
    expect(redisUrlFromEnv({ REDIS_URL: 'redis://127.0.0.1:6379' })).toBe('redis://127.0.0.1:6379');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT', 'PORT must be an integer from 0 to 65535 (got "eighty").'],
    [{ PORT: '65536' }, 'PORT', 'PORT must be an integer from 0 to 65535 (got "65536").'],
    [
      { HTTP_ADAPTER: 'koa' },
      'HTTP_ADAPTER',
      'HTTP_ADAPTER must be "express" or "fastify" (got "koa").',
    ],
    [
      { REDIS_URL: 'http://user:hunter2@redis:6379' },
      'REDIS_URL',
      'REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379.',
    ],
    [
      { REDIS_URL: 'hunter2' },
      'REDIS_URL',
      'REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379.',
    ],
  ])('refuses %j, naming the variable', (env, variable, detail) => {
    let thrown: unknown;
    try {
      demoSettingsFromEnv(env);
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DemoEnvError);
    expect((thrown as DemoEnvError).variable).toBe(variable);
    expect((thrown as DemoEnvError).message).toBe(`Invalid environment: ${detail}`);
    expect((thrown as DemoEnvError).message).not.toContain('hunter2');
  });
});
