// The library as a real package: `npm pack` of the built library is installed from its tarball
// into a scratch Nest 11 host app (test/consumer) in a temporary folder, outside this repository,
// and that app's own spec runs against it: with ioredis + @liaoliaots/nestjs-redis and a private
// redis-server, then in a second folder where neither is installed. The host's strict tsc compiles
// against the package's .d.ts. npm installs from its cache (--prefer-offline) where it can.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const CONSUMER = join(__dirname, 'consumer');
const REDIS_URL = process.env.WECHAT_TEST_REDIS_URL as string;
const APP_ENV = {
  WECHAT_APP_ID: 'wx0123456789abcdef',
  WECHAT_APP_SECRET: 'consumer-secret',
  WECHAT_TOKEN: 'consumerToken1',
  WECHAT_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
};
/** The consumer's spec, as its tsc compiles it. */
const SPEC = 'dist/welcome.consumer-spec.js';
const NPM_INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

jest.setTimeout(600_000);

/** Runs a command, and on failure throws with everything it printed. */
async function sh(
  file: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } catch (error: unknown) {
    const { stdout, stderr, message } = error as { stdout?: string; stderr?: string } & Error;
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}: ${message}\n${stdout}\n${stderr}`);
  }
}

/** An environment without this repository's jest/ts-node variables and without Redis. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  return env;
}

/** A copy of the consumer app (sources, tsconfig, package.json) with the tarball beside it. */
async function consumerFolder(tarball: string, edit?: (pkg: ConsumerPackage) => void) {
  const dir = await mkdtemp(join(tmpdir(), 'wechat-consumer-'));
  await cp(join(CONSUMER, 'src'), join(dir, 'src'), { recursive: true });
  await cp(join(CONSUMER, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  await cp(tarball, join(dir, 'nestjs-wechat-oa.tgz'));
  const pkg = JSON.parse(await readFile(join(CONSUMER, 'package.json'), 'utf8')) as ConsumerPackage;
  edit?.(pkg);
  await writeFile(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  return dir;
}

interface ConsumerPackage {
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
  overrides?: unknown;
}

describe('the packed library in a separate Nest 11 app', () => {
  const folders: string[] = [];
  let tarball: string;
  let packDir: string;
  let compiled: string;

  beforeAll(async () => {
    await sh('npm', ['run', 'build:lib', '--silent'], ROOT);
    packDir = await mkdtemp(join(tmpdir(), 'wechat-pack-'));
    folders.push(packDir);
    const packed = JSON.parse(
      await sh('npm', ['pack', './libs/wechat', '--json', '--pack-destination', packDir], ROOT),
    ) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(packDir, packed[0].filename);
    packedFiles = packed[0].files.map((file) => file.path);
  });

  afterAll(async () => {
    for (const dir of folders) await rm(dir, { recursive: true, force: true });
  });

  let packedFiles: string[] = [];

  it('packs only what a user needs: compiled JS, .d.ts, README, LICENSE, package.json', () => {
    expect(packedFiles).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
    expect(packedFiles).toContain('dist/index.js');
    expect(packedFiles).toContain('dist/index.d.ts');
    expect(packedFiles).toContain('dist/testing/index.js');
    const unexpected = packedFiles.filter(
      (path) =>
        !['package.json', 'README.md', 'LICENSE'].includes(path) &&
        !/^dist\/.+\.(js|d\.ts)$/.test(path),
    );
    expect(unexpected).toEqual([]);
    expect(packedFiles.filter((path) => /spec|tsconfig|\.map$/.test(path))).toEqual([]);
  });

  it('with ioredis and @liaoliaots/nestjs-redis: strict tsc passes, a safe-mode subscribe is answered once', async () => {
    const dir = await consumerFolder(tarball);
    folders.push(dir);
    await sh('npm', NPM_INSTALL, dir, cleanEnv({}));
    // The host's strict compile against the package's .d.ts (skipLibCheck off, noEmitOnError).
    await sh(join(dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], dir);
    compiled = join(dir, 'dist');
    const output = await sh(
      process.execPath,
      ['--test', '--test-reporter=tap', SPEC],
      dir,
      cleanEnv({ ...APP_ENV, REDIS_URL }),
    );
    expect(output).toMatch(/^# pass 1$/m);
    expect(output).toMatch(/^# skipped 1$/m);
    expect(output).toMatch(/^# fail 0$/m);
  });

  it('without ioredis and @liaoliaots/nestjs-redis: the app starts in-memory, warns, and the same push works', async () => {
    expect(compiled).toBeDefined();
    const dir = await consumerFolder(tarball, (pkg) => {
      delete pkg.dependencies.ioredis;
      delete pkg.dependencies['@liaoliaots/nestjs-redis'];
      delete pkg.devDependencies;
      delete pkg.overrides;
    });
    folders.push(dir);
    await sh('npm', NPM_INSTALL, dir, cleanEnv({}));
    await cp(compiled, join(dir, 'dist'), { recursive: true });
    const output = await sh(
      process.execPath,
      ['--test', '--test-reporter=tap', SPEC],
      dir,
      cleanEnv(APP_ENV),
    );
    expect(output).toMatch(/^# pass 2$/m);
    expect(output).toMatch(/^# fail 0$/m);
  });
});
