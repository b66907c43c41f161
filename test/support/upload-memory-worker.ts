// Measures, in its own process, how much memory one media upload takes: run by
// test/wechat-api-upload-memory.e2e-spec.ts with ts-node and --expose-gc, configured by
// UPLOAD_MEMORY (JSON: the sandbox's URL and credentials, the file). Uploads the file three times,
// sampling process.memoryUsage() after a full GC on every turn of the event loop (so what is
// counted is what is held, not garbage), and prints one JSON line with the peaks above the
// baseline: first with plain fetch + FormData + fs.openAsBlob and no library code (Node 20's fetch
// holds the whole body of the first large upload of a process once, whoever sends it), then
// through client.media.upload from the path (streamed), then from a Buffer read whole (the control).
import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  AccessTokenService,
  MemoryAccessTokenStore,
  WechatClientService,
  WechatHttpClient,
  type WechatUploadFile,
} from '@app/wechat';
import { tokenTestOptions, type TokenTestOptions } from './token-options';

/** What the parent passes. */
export interface UploadMemoryConfig {
  options: TokenTestOptions;
  path: string;
}

/** Peak growth above the baseline during one upload, in bytes. */
export interface UploadMemoryPeak {
  mediaId: string;
  rss: number;
  arrayBuffers: number;
  samples: number;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function measure(upload: () => Promise<string>): Promise<UploadMemoryPeak> {
  gc();
  const base = process.memoryUsage();
  let rss = 0;
  let arrayBuffers = 0;
  let samples = 0;
  let running = true;
  const sample = (): void => {
    gc(); // count what is held, not garbage awaiting collection
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss - base.rss);
    arrayBuffers = Math.max(arrayBuffers, now.arrayBuffers - base.arrayBuffers);
    samples++;
    if (running) setImmediate(sample);
  };
  sample();
  const mediaId = await upload();
  running = false;
  sample();
  return { mediaId, rss, arrayBuffers, samples };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.UPLOAD_MEMORY ?? '{}') as UploadMemoryConfig;
  const options = tokenTestOptions(config.options);
  const http = new WechatHttpClient(options);
  const tokens = new AccessTokenService(options, new MemoryAccessTokenStore(), http);
  const client = new WechatClientService(tokens, http, options);
  await tokens.getAccessToken();
  const send = async (file: WechatUploadFile): Promise<string> =>
    (await client.media.upload('video', file)).mediaId;
  const token = await tokens.getAccessToken();
  const plainFirst = await measure(async () => {
    const form = new FormData();
    form.append('media', await openAsBlob(config.path, { type: 'video/mp4' }), 'plain.mp4');
    const url = `${options.apiBaseUrl}/cgi-bin/media/upload?type=video&access_token=${token}`;
    const answer = (await (await fetch(url, { method: 'POST', body: form })).json()) as {
      media_id: string;
    };
    return answer.media_id;
  });
  const streamed = await measure(() => send({ path: config.path }));
  const buffered = await measure(async () =>
    send({ buffer: await readFile(config.path), fileName: 'buffered.mp4' }),
  );
  process.stdout.write(`${JSON.stringify({ plainFirst, streamed, buffered })}\n`);
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
