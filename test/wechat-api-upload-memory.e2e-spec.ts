import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startWechatApiServer, type WechatApiServer } from '@app/wechat/testing';
import type { UploadMemoryConfig, UploadMemoryPeak } from './support/upload-memory-worker';

const ROOT = join(__dirname, '..');
const MB = 1024 * 1024;

let server: WechatApiServer;
let dir: string;

beforeAll(async () => {
  server = await startWechatApiServer();
  dir = await mkdtemp(join(tmpdir(), 'wechat-upload-memory-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

// The first large request body of a process is held whole once by Node 20's fetch itself (plain
// fetch + FormData + fs.openAsBlob, no library code, shows it: `plainFirst`); from then on a path
// upload holds a few 64 KB chunks whatever the file's size.
it('a 3 MB upload from a path is streamed from disk, never held whole in memory (the Buffer control is)', async () => {
  const bytes = Buffer.alloc(3 * MB);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 253;
  const path = join(dir, 'clip.mp4');
  await writeFile(path, bytes);
  const config: UploadMemoryConfig = {
    options: { appId: server.appId, appSecret: server.appSecret, apiBaseUrl: server.url },
    path,
  };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(__dirname, 'support', 'upload-memory-worker.ts'),
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        UPLOAD_MEMORY: JSON.stringify(config),
      },
    },
  );
  const { plainFirst, streamed, buffered } = JSON.parse(
    stdout.trim().split('\n').pop() as string,
  ) as { plainFirst: UploadMemoryPeak; streamed: UploadMemoryPeak; buffered: UploadMemoryPeak };
  const mb = (peak: UploadMemoryPeak): string =>
    `rss +${(peak.rss / MB).toFixed(2)} MB, arrayBuffers +${(peak.arrayBuffers / MB).toFixed(2)} MB (${peak.samples} samples)`;
  // The measurements, for the record (MB above the baseline, peak over the upload).
  process.stdout.write(
    `upload memory: plain fetch, first upload of the process: ${mb(plainFirst)}; ` +
      `client.media.upload({ path }): ${mb(streamed)}; from a Buffer: ${mb(buffered)}\n`,
  );
  expect(server.media(plainFirst.mediaId)?.data.equals(bytes)).toBe(true);
  expect(server.media(streamed.mediaId)?.data.equals(bytes)).toBe(true);
  expect(server.media(buffered.mediaId)?.data.equals(bytes)).toBe(true);
  // The control proves the sampling sees a file held in memory...
  expect(buffered.arrayBuffers).toBeGreaterThanOrEqual(3 * MB);
  // ...and the streamed upload never held more than a third of the file at once.
  expect(streamed.arrayBuffers).toBeLessThan(1 * MB);
}, 60_000);
