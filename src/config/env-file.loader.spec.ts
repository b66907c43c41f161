import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { environmentOnly, loadEnvFile } from './env-file.loader';
import { wechatOptionsFromEnv } from './wechat-env.parser';
import { ENV_VARIABLES } from './wechat-env.table';

const ENV_FILE = [
  '# a .env as an operator writes it',
  'WECHAT_APP_ID=wx_from_dotenv',
  'WECHAT_APP_SECRET=secretFromDotenv',
  'WECHAT_TOKEN=tokenFromDotenv',
  'WECHAT_MAX_BODY_BYTES=2048',
  'WECHAT_KEY_PREFIX=file:',
  'WECHAT_TOKEN_MODE=stable_token',
  'WECHAT_DEDUP_TTL_SECONDS=90',
  '',
].join('\n');

describe('loadEnvFile (the .env file through @nestjs/config)', () => {
  let dir: string;
  let saved: Map<string, string | undefined>;
  const cwd = process.cwd();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'demo-env-'));
    writeFileSync(join(dir, '.env'), ENV_FILE);
    saved = new Map(ENV_VARIABLES.map((name) => [name, process.env[name]]));
    for (const name of ENV_VARIABLES) delete process.env[name];
  });

  afterEach(() => {
    process.chdir(cwd);
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads .env from the working directory by default; the environment wins over it', async () => {
    process.env.WECHAT_KEY_PREFIX = 'env:';
    // Set but empty in the environment: still wins, and empty means unset (the default).
    process.env.WECHAT_TOKEN_MODE = '';
    process.chdir(dir);
    const module = await loadEnvFile();
    expect(module.global).toBe(true);
    expect(wechatOptionsFromEnv(process.env)).toEqual({
      appId: 'wx_from_dotenv',
      appSecret: 'secretFromDotenv',
      token: 'tokenFromDotenv',
      maxBodyBytes: 2048,
      keyPrefix: 'env:',
      dedupTtlSeconds: 90,
    });
  });

  it('reads the file it is given', async () => {
    const other = join(dir, 'other.env');
    writeFileSync(other, 'WECHAT_APP_ID=wx_other\nWECHAT_APP_SECRET=s\nWECHAT_TOKEN=tok\n');
    await loadEnvFile(other);
    expect(wechatOptionsFromEnv(process.env)).toEqual({
      appId: 'wx_other',
      appSecret: 's',
      token: 'tok',
    });
  });

  it('starts without a .env file', async () => {
    process.chdir(dir);
    rmSync(join(dir, '.env'));
    await loadEnvFile();
    expect(ENV_VARIABLES.filter((name) => process.env[name] !== undefined)).toEqual([]);
  });

  it('environmentOnly() reads no file, even with a .env in the working directory', async () => {
    process.chdir(dir);
    const module = await environmentOnly();
    expect(module.global).toBe(true);
    expect(ENV_VARIABLES.filter((name) => process.env[name] !== undefined)).toEqual([]);
  });
});
