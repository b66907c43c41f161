import { DemoEnvError } from './demo-env.error';
import { demoSettingsFromEnv } from './demo-env.parser';

describe('demoSettingsFromEnv', () => {
  it('defaults to port 3000 on Express', () => {
    expect(demoSettingsFromEnv({})).toEqual({ port: 3000, httpAdapter: 'express' });
    expect(demoSettingsFromEnv({ PORT: '', HTTP_ADAPTER: '' })).toEqual({
      port: 3000,
      httpAdapter: 'express',
    });
  });

  it('reads PORT and HTTP_ADAPTER (any case)', () => {
    expect(demoSettingsFromEnv({ PORT: '0', HTTP_ADAPTER: 'Fastify' })).toEqual({
      port: 0,
      httpAdapter: 'fastify',
    });
    expect(demoSettingsFromEnv({ PORT: '8080', HTTP_ADAPTER: 'express' })).toEqual({
      port: 8080,
      httpAdapter: 'express',
    });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT', 'PORT must be an integer from 0 to 65535 (got "eighty").'],
    [{ PORT: '65536' }, 'PORT', 'PORT must be an integer from 0 to 65535 (got "65536").'],
    [{ PORT: '80.5' }, 'PORT', 'PORT must be an integer from 0 to 65535 (got "80.5").'],
    [
      { HTTP_ADAPTER: 'koa' },
      'HTTP_ADAPTER',
      'HTTP_ADAPTER must be "express" or "fastify" (got "koa").',
    ],
  ])('refuses %j, naming the variable', (env, variable, message) => {
    expect(() => demoSettingsFromEnv(env)).toThrow(new DemoEnvError(variable, message));
    try {
      demoSettingsFromEnv(env);
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(DemoEnvError);
      expect((error as DemoEnvError).variable).toBe(variable);
    }
  });
});
