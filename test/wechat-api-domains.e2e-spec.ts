import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  AccessTokenService,
  MemoryAccessTokenStore,
  WechatApiError,
  WechatClientService,
  WechatHttpClient,
  WechatHttpError,
  WechatValidationError,
  wechatErrorHint,
  type WechatMenu,
} from '@app/wechat';
import { startWechatApiServer, type WechatApiServer } from '@app/wechat/testing';
import { captureOutput } from './support/token-log-capture';
import { tokenTestOptions, type TokenTestOptions } from './support/token-options';

const TOKEN = '/cgi-bin/token';
const OPENID = 'oAbCdEfGhIjKlMnOpQrStUvWxYz0';

const output = captureOutput();
const servers: WechatApiServer[] = [];
let server: WechatApiServer;
let dir: string;

function build(overrides: Partial<TokenTestOptions> = {}, target = server): WechatClientService {
  const options = tokenTestOptions({
    appId: target.appId,
    appSecret: target.appSecret,
    apiBaseUrl: target.url,
    retryBackoffMs: 10,
    ...overrides,
  });
  const http = new WechatHttpClient(options);
  const tokens = new AccessTokenService(options, new MemoryAccessTokenStore(), http);
  return new WechatClientService(tokens, http, options);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error: unknown) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Asserts a WechatValidationError for `field` and that nothing reached the sandbox. */
async function refusedBeforeSending(promise: Promise<unknown>, field: string): Promise<void> {
  const before = server.calls();
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(WechatValidationError);
  expect(error).toMatchObject({ code: 'WECHAT_VALIDATION', field });
  expect(server.calls() - before).toBe(0);
}

/** Asserts a WechatApiError with this errcode from `path`. */
async function refusedByWechat(
  promise: Promise<unknown>,
  errcode: number,
  path: string,
): Promise<WechatApiError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(WechatApiError);
  expect(error).toMatchObject({ code: 'WECHAT_API', errcode, path });
  return error as WechatApiError;
}

const openIds = (count: number, prefix = 'oFollower'): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);

beforeAll(async () => {
  server = await startWechatApiServer();
  servers.push(server);
  dir = await mkdtemp(join(tmpdir(), 'wechat-media-'));
});
beforeEach(() => server.reset());
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
  output.restore();
  for (const s of servers) {
    for (const token of s.issuedTokens) expect(output.text()).not.toContain(token);
  }
  expect(output.text()).not.toContain(server.appSecret);
});

describe('client.request(): any endpoint through the same pipeline', () => {
  it('GET with a query: the token added, the answer untouched (fields the client does not know included)', async () => {
    const client = build();
    server.setFollowers(['oFirstFollower1', 'oSecondFollower2']);
    const answer = await client.request<{ total: number; next_openid: string }>({
      method: 'GET',
      path: '/cgi-bin/user/get',
      query: { next_openid: '' },
    });
    expect(answer).toEqual({
      total: 2,
      count: 2,
      data: { openid: ['oFirstFollower1', 'oSecondFollower2'] },
      next_openid: 'oSecondFollower2',
    });
    expect(server.lastQuery('/cgi-bin/user/get')).toEqual({
      next_openid: '',
      access_token: server.issuedTokens[0],
    });
  });

  it('POST with a JSON body (raw UTF-8) and bigIntFields', async () => {
    const client = build();
    const tag = await client.request<{ tag: { id: number; name: string } }>({
      method: 'POST',
      path: '/cgi-bin/tags/create',
      body: { tag: { name: '广东' } },
    });
    expect(tag).toEqual({ tag: { id: 100, name: '广东' } });
    expect(server.lastRawBody('/cgi-bin/tags/create')).toBe('{"tag":{"name":"广东"}}');
    const big = await client.request<{ msgid: string }>({
      method: 'POST',
      path: '/cgi-bin/message/template/send',
      body: { touser: OPENID, template_id: 'T', data: {} },
      bigIntFields: ['msgid'],
    });
    expect(big.msgid).toBe('9007199254740993');
  });

  it('a multipart form as given', async () => {
    const client = build();
    const form = new FormData();
    form.append('media', new Blob([Buffer.from('png bytes')], { type: 'image/png' }), 'a.png');
    const answer = await client.request<{ type: string; media_id: string; created_at: number }>({
      method: 'POST',
      path: '/cgi-bin/media/upload',
      query: { type: 'image' },
      form,
    });
    expect(answer).toEqual({
      type: 'image',
      media_id: expect.stringMatching(/^T0001_/),
      created_at: expect.any(Number),
    });
    expect(server.media(answer.media_id)?.data).toEqual(Buffer.from('png bytes'));
  });

  it('40001 → the rejected token is cleared, one refresh, one retry with the new token', async () => {
    const client = build();
    const first = await client.getAccessToken();
    server.invalidateAllTokens();
    await expect(client.request({ method: 'GET', path: '/cgi-bin/tags/get' })).resolves.toEqual({
      tags: [],
    });
    expect(server.calls('/cgi-bin/tags/get')).toBe(2);
    expect(server.calls(TOKEN)).toBe(2);
    expect(server.lastQuery('/cgi-bin/tags/get')).toEqual({
      access_token: server.issuedTokens[1],
    });
    expect(server.issuedTokens[1]).not.toBe(first);
  });

  it('45009 is never retried: one call, the quota hint, no secret in the message', async () => {
    const client = build({ maxRetries: 3 });
    const token = await client.getAccessToken();
    server.injectError('/cgi-bin/tags/get', {
      errcode: 45009,
      errmsg: `reach max api daily quota limit ${token}`,
    });
    const error = await refusedByWechat(
      client.request({ method: 'GET', path: '/cgi-bin/tags/get' }),
      45009,
      '/cgi-bin/tags/get',
    );
    expect(error.hint).toBe(wechatErrorHint(45009));
    expect(error.hint).toContain('never retried');
    expect(error.message).toContain(`Hint: ${error.hint}`);
    expect(error.message).not.toContain(token);
    expect(server.calls('/cgi-bin/tags/get')).toBe(1);
    expect(server.calls(TOKEN)).toBe(1);
  });

  it('-1 is retried like every call', async () => {
    const client = build();
    server.injectError('/cgi-bin/tags/get', { errcode: -1, errmsg: 'system error' });
    await expect(client.request({ method: 'GET', path: '/cgi-bin/tags/get' })).resolves.toEqual({
      tags: [],
    });
    expect(server.calls('/cgi-bin/tags/get')).toBe(2);
  });

  it('an endpoint the stand-in does not know → WechatHttpError BAD_RESPONSE 404', async () => {
    const client = build();
    const error = await rejection(client.request({ method: 'GET', path: '/cgi-bin/nowhere' }));
    expect(error).toBeInstanceOf(WechatHttpError);
    expect(error).toMatchObject({ reason: 'BAD_RESPONSE', status: 404, attempts: 1 });
  });

  it.each([
    ['method', { method: 'PUT', path: '/cgi-bin/tags/get' }],
    ['path', { method: 'GET', path: 'cgi-bin/tags/get' }],
    ['path', { method: 'GET', path: '/cgi-bin/tags/get?access_token=x' }],
    ['query', { method: 'GET', path: '/cgi-bin/tags/get', query: { access_token: 'x' } }],
    ['form', { method: 'POST', path: '/cgi-bin/tags/get', body: {}, form: new FormData() }],
  ])('refuses a bad %s before any HTTP call', async (field, request) => {
    const client = build();
    await refusedBeforeSending(
      client.request(request as Parameters<WechatClientService['request']>[0]),
      field,
    );
  });
});

describe('error hints, by code', () => {
  it.each([
    [45009, 'quota'],
    [48001, 'account type'],
    [43101, 'refused'],
    [40113, 'extension'],
    [41005, 'multipart'],
    [45106, 'drafts'],
  ])('%i carries its hint, fails after exactly one call', async (errcode, words) => {
    const client = build({ maxRetries: 2 });
    await client.getAccessToken();
    server.injectError('/cgi-bin/menu/get', { errcode, errmsg: `errmsg of ${errcode}` });
    const error = await refusedByWechat(client.menu.get(), errcode, '/cgi-bin/menu/get');
    expect(error.hint).toBe(wechatErrorHint(errcode));
    expect(error.hint).toContain(words);
    expect(error.message).toBe(
      `WeChat API /cgi-bin/menu/get failed with errcode ${errcode}: ${error.errmsg} Hint: ${error.hint}`,
    );
    expect(server.calls('/cgi-bin/menu/get')).toBe(1);
  });

  it('47003 names the field and its prefix rule; an unknown code has no hint', async () => {
    const client = build();
    server.injectError('/cgi-bin/menu/get', {
      errcode: 47003,
      errmsg: 'argument invalid! data.thing3.value exceeds limit',
    });
    const error = await refusedByWechat(client.menu.get(), 47003, '/cgi-bin/menu/get');
    expect(error.field).toBe('thing3');
    expect(error.hint).toBe(
      'the template data is invalid: every data key needs { value } following the rule of its key prefix; WeChat refused "thing3" (thing: at most 20 characters).',
    );
    server.injectError('/cgi-bin/menu/get', { errcode: 47003, errmsg: 'argument invalid!' });
    const bare = await refusedByWechat(client.menu.get(), 47003, '/cgi-bin/menu/get');
    expect(bare.field).toBeUndefined();
    expect(bare.hint).toBe(
      'the template data is invalid: every data key needs { value } following the rule of its key prefix.',
    );
    server.injectError('/cgi-bin/menu/get', { errcode: 40066, errmsg: 'invalid url' });
    const plain = await refusedByWechat(client.menu.get(), 40066, '/cgi-bin/menu/get');
    expect(plain.hint).toBeUndefined();
    expect(plain.message).not.toContain('Hint');
  });

  it("the stand-in's own 45106 (add_news), 41005 (no media part) and 40113 (no extension)", async () => {
    const client = build();
    const news = await refusedByWechat(
      client.request({
        method: 'POST',
        path: '/cgi-bin/material/add_news',
        body: { articles: [] },
      }),
      45106,
      '/cgi-bin/material/add_news',
    );
    expect(news.hint).toContain('client.drafts.add');
    const noPart = new FormData();
    noPart.append('file', 'not the media part');
    const missing = await refusedByWechat(
      client.request({
        method: 'POST',
        path: '/cgi-bin/media/upload',
        query: { type: 'image' },
        form: noPart,
      }),
      41005,
      '/cgi-bin/media/upload',
    );
    expect(missing.hint).toBe(wechatErrorHint(41005));
    const noExtension = new FormData();
    noExtension.append('media', new Blob([Buffer.from('x')]), 'photo');
    const type = await refusedByWechat(
      client.request({
        method: 'POST',
        path: '/cgi-bin/media/upload',
        query: { type: 'image' },
        form: noExtension,
      }),
      40113,
      '/cgi-bin/media/upload',
    );
    expect(type.hint).toBe(wechatErrorHint(40113));
  });
});

describe('client.media', () => {
  const UPLOAD = '/cgi-bin/media/upload';
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

  it('uploads a Buffer as the multipart part "media": exact parts, query and typed result with raw', async () => {
    const client = build();
    const result = await client.media.upload('image', { buffer: png, fileName: 'logo.png' });
    expect(server.lastQuery(UPLOAD)).toEqual({
      type: 'image',
      access_token: server.issuedTokens[0],
    });
    expect(server.lastParts(UPLOAD)).toEqual([
      { name: 'media', fileName: 'logo.png', contentType: 'image/png', data: png },
    ]);
    const stored = server.media(result.mediaId);
    expect(stored).toMatchObject({ type: 'image', fileName: 'logo.png', data: png });
    expect(result).toEqual({
      type: 'image',
      mediaId: stored?.mediaId,
      createdAt: stored?.createdAt,
      raw: { type: 'image', media_id: stored?.mediaId, created_at: stored?.createdAt },
    });
  });

  it('a file name gets an ASCII form and an extension; a thumb answers thumb_media_id', async () => {
    const client = build();
    await client.media.upload('image', { buffer: png, fileName: '头像 1.JPG' });
    expect(server.lastParts(UPLOAD)?.[0]).toMatchObject({
      fileName: '___1.JPG',
      contentType: 'image/jpeg',
    });
    await client.media.upload('voice', { buffer: png });
    expect(server.lastParts(UPLOAD)?.[0]).toMatchObject({
      fileName: 'media.mp3',
      contentType: 'audio/mpeg',
    });
    const thumb = await client.media.upload('thumb', { buffer: png, fileName: 'cover' });
    expect(server.lastParts(UPLOAD)?.[0]).toMatchObject({ fileName: 'cover.jpg' });
    expect(thumb.mediaId).toBe(thumb.raw.thumb_media_id);
    expect(server.media(thumb.mediaId)?.type).toBe('thumb');
  });

  it('uploads from a path (streamed from disk) and from a stream, byte for byte', async () => {
    const client = build();
    const bytes = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) % 251;
    const path = join(dir, 'clip.mp4');
    await writeFile(path, bytes);
    const fromPath = await client.media.upload('video', { path });
    expect(server.media(fromPath.mediaId)).toMatchObject({
      fileName: 'clip.mp4',
      contentType: 'video/mp4',
    });
    expect(server.media(fromPath.mediaId)?.data.equals(bytes)).toBe(true);
    const chunks = [png.subarray(0, 5), png.subarray(5)];
    const fromStream = await client.media.upload('image', {
      stream: Readable.from(chunks),
      fileName: 'x.png',
    });
    expect(server.media(fromStream.mediaId)?.data).toEqual(png);
  });

  it.each([
    ['image', 2 * 1024 * 1024],
    ['voice', 2 * 1024 * 1024],
    ['video', 10 * 1024 * 1024],
    ['thumb', 64 * 1024],
  ] as const)(
    '%s: %i bytes are accepted, one more is refused before sending',
    async (type, limit) => {
      const client = build();
      const name = { image: 'a.jpg', voice: 'a.amr', video: 'a.mp4', thumb: 'a.jpg' }[type];
      await client.media.upload(type, { buffer: Buffer.alloc(limit, 1), fileName: name });
      expect(server.calls(UPLOAD)).toBe(1);
      await refusedBeforeSending(
        client.media.upload(type, { buffer: Buffer.alloc(limit + 1, 1), fileName: name }),
        'media',
      );
    },
  );

  it('refuses before sending: a stream over the limit, an empty file, a bad extension, a missing path, an unknown type', async () => {
    const client = build();
    const big = Readable.from(Array.from({ length: 40 }, () => Buffer.alloc(64 * 1024)));
    await refusedBeforeSending(client.media.upload('image', { stream: big }), 'media');
    await refusedBeforeSending(client.media.upload('image', { buffer: Buffer.alloc(0) }), 'media');
    await refusedBeforeSending(
      client.media.upload('video', { buffer: png, fileName: 'a.avi' }),
      'fileName',
    );
    await refusedBeforeSending(
      client.media.upload('thumb', { buffer: png, fileName: 'a.png' }),
      'fileName',
    );
    await refusedBeforeSending(
      client.media.upload('image', { path: join(dir, 'missing.jpg') }),
      'media',
    );
    await refusedBeforeSending(client.media.upload('file' as 'image', { buffer: png }), 'type');
  });

  it('downloads temporary media as a Buffer with its type and name; a video as its URL; an unknown id is 40007', async () => {
    const client = build();
    const { mediaId } = await client.media.upload('image', { buffer: png, fileName: 'p.png' });
    await expect(client.media.get(mediaId)).resolves.toEqual({
      kind: 'file',
      data: png,
      contentType: 'image/png',
      fileName: 'p.png',
    });
    expect(server.lastQuery('/cgi-bin/media/get')).toEqual({
      media_id: mediaId,
      access_token: server.issuedTokens[0],
    });
    const video = await client.media.upload('video', { buffer: png, fileName: 'v.mp4' });
    await expect(client.media.get(video.mediaId)).resolves.toEqual({
      kind: 'video',
      videoUrl: `http://sandbox-video.weixin.qq.com/${video.mediaId}`,
      raw: { video_url: `http://sandbox-video.weixin.qq.com/${video.mediaId}` },
    });
    await refusedByWechat(client.media.get('nope'), 40007, '/cgi-bin/media/get');
  });

  it('a JSON error sent as text/plain to a download is still a WechatApiError; 40001 is recovered', async () => {
    const client = build();
    const { mediaId } = await client.media.upload('image', { buffer: png, fileName: 'p.png' });
    server.injectResponse('/cgi-bin/media/get', {
      status: 200,
      body: '{"errcode":40007,"errmsg":"invalid media_id"}',
      contentType: 'text/plain',
    });
    await refusedByWechat(client.media.get(mediaId), 40007, '/cgi-bin/media/get');
    server.invalidateAllTokens();
    await expect(client.media.get(mediaId)).resolves.toMatchObject({ kind: 'file', data: png });
    expect(server.calls('/cgi-bin/media/get')).toBe(3);
  });

  it('permanent material: add (a video with its description part), get, count, list, delete', async () => {
    const client = build();
    const image = await client.media.addMaterial('image', { buffer: png, fileName: 'i.png' });
    expect(image).toEqual({
      mediaId: image.raw.media_id,
      url: `http://mmbiz.qpic.cn/sandbox/${image.mediaId}/0?wx_fmt=png`,
      raw: { media_id: image.mediaId, url: image.url },
    });
    const video = await client.media.addMaterial(
      'video',
      { buffer: png, fileName: 'v.mp4' },
      { title: '开箱', introduction: '第一集' },
    );
    expect(server.lastQuery('/cgi-bin/material/add_material')?.type).toBe('video');
    expect(server.lastParts('/cgi-bin/material/add_material')).toEqual([
      { name: 'media', fileName: 'v.mp4', contentType: 'video/mp4', data: png },
      { name: 'description', data: Buffer.from('{"title":"开箱","introduction":"第一集"}') },
    ]);
    expect(video).toEqual({ mediaId: video.raw.media_id, raw: { media_id: video.mediaId } });
    await expect(client.media.getMaterial(image.mediaId)).resolves.toEqual({
      kind: 'file',
      data: png,
      contentType: 'image/png',
      fileName: 'i.png',
    });
    expect(server.lastBody('/cgi-bin/material/get_material')).toEqual({
      media_id: image.mediaId,
    });
    const downUrl = `http://sandbox-video.weixin.qq.com/${video.mediaId}`;
    await expect(client.media.getMaterial(video.mediaId)).resolves.toEqual({
      kind: 'video',
      title: '开箱',
      description: '第一集',
      downUrl,
      raw: { title: '开箱', description: '第一集', down_url: downUrl },
    });
    await expect(client.media.materialCount()).resolves.toEqual({
      voiceCount: 0,
      videoCount: 1,
      imageCount: 1,
      newsCount: 0,
      raw: { voice_count: 0, video_count: 1, image_count: 1, news_count: 0 },
    });
    const list = await client.media.listMaterial('image', { offset: 0, count: 20 });
    expect(server.lastBody('/cgi-bin/material/batchget_material')).toEqual({
      type: 'image',
      offset: 0,
      count: 20,
    });
    expect(list).toMatchObject({
      totalCount: 1,
      itemCount: 1,
      items: [{ media_id: image.mediaId, name: 'i.png', url: image.url }],
    });
    await expect(client.media.deleteMaterial(image.mediaId)).resolves.toEqual({
      raw: { errcode: 0, errmsg: 'ok' },
    });
    expect(server.media(image.mediaId)).toBeUndefined();
    await refusedByWechat(
      client.media.deleteMaterial(image.mediaId),
      40007,
      '/cgi-bin/material/del_material',
    );
  });

  it('permanent material refusals before sending: a video without a title, a description on an image, count 21', async () => {
    const client = build();
    await refusedBeforeSending(
      client.media.addMaterial('video', { buffer: png, fileName: 'v.mp4' }),
      'description.title',
    );
    await refusedBeforeSending(
      client.media.addMaterial(
        'image',
        { buffer: png, fileName: 'i.png' },
        { title: 't', introduction: '' },
      ),
      'description',
    );
    await refusedBeforeSending(client.media.listMaterial('image', { count: 21 }), 'count');
    await refusedBeforeSending(client.media.listMaterial('image', { count: 0 }), 'count');
    await refusedBeforeSending(client.media.listMaterial('image', { offset: -1 }), 'offset');
    await refusedBeforeSending(client.media.listMaterial('file' as 'image'), 'type');
  });

  it('article images: jpg/png ≤ 1 MB → { url }', async () => {
    const client = build();
    const result = await client.media.uploadArticleImage({ buffer: png, fileName: 'body.png' });
    expect(result).toEqual({
      url: expect.stringMatching(/^http:\/\/mmbiz\.qpic\.cn\//),
      raw: { url: result.url },
    });
    expect(server.lastParts('/cgi-bin/media/uploadimg')).toEqual([
      { name: 'media', fileName: 'body.png', contentType: 'image/png', data: png },
    ]);
    await refusedBeforeSending(
      client.media.uploadArticleImage({ buffer: png, fileName: 'body.gif' }),
      'fileName',
    );
    await refusedBeforeSending(
      client.media.uploadArticleImage({ buffer: Buffer.alloc(1024 * 1024 + 1), fileName: 'a.jpg' }),
      'media',
    );
  });

  it("the stand-in's own upload refusals when sent raw: bad type 40004, too large 45001, bad extension 40005", async () => {
    const client = build();
    const form = (name: string, size = 4): FormData => {
      const f = new FormData();
      f.append('media', new Blob([Buffer.alloc(size, 1)]), name);
      return f;
    };
    const send = (type: string, f: FormData) =>
      client.request({ method: 'POST', path: UPLOAD, query: { type }, form: f });
    await refusedByWechat(send('file', form('a.jpg')), 40004, UPLOAD);
    await refusedByWechat(send('thumb', form('a.jpg', 64 * 1024 + 1)), 45001, UPLOAD);
    await refusedByWechat(send('video', form('a.avi')), 40005, UPLOAD);
  });
});

describe('client.menu', () => {
  const CREATE = '/cgi-bin/menu/create';
  const EVERY_TYPE: WechatMenu = {
    button: [
      { type: 'click', name: '今日歌曲', key: 'V1001_TODAY_MUSIC' },
      {
        name: '菜单',
        sub_button: [
          { type: 'view', name: '搜索', url: 'https://www.soso.com/' },
          {
            type: 'miniprogram',
            name: 'wxa',
            url: 'https://mp.weixin.qq.com',
            appid: 'wx286b93c14bbf93aa',
            pagepath: 'pages/lunar/index',
          },
          { type: 'scancode_push', name: '扫码推事件', key: 'rselfmenu_0_1' },
          { type: 'pic_weixin', name: '微信相册发图', key: 'rselfmenu_1_2' },
          { type: 'location_select', name: '发送位置', key: 'rselfmenu_2_0' },
        ],
      },
      {
        name: '更多',
        sub_button: [
          { type: 'scancode_waitmsg', name: '扫码带提示', key: 'rselfmenu_0_0' },
          { type: 'pic_sysphoto', name: '系统拍照发图', key: 'rselfmenu_1_0' },
          { type: 'pic_photo_or_album', name: '拍照或者相册发图', key: 'rselfmenu_1_1' },
          { type: 'media_id', name: '图片', media_id: 'MEDIA_ID1' },
          { type: 'article_id', name: '文章', article_id: 'ARTICLE_ID1' },
        ],
      },
    ],
  };

  it('create sends every button type as given; get reads it back; self-menu info; delete', async () => {
    const client = build();
    await expect(client.menu.create(EVERY_TYPE)).resolves.toEqual({
      raw: { errcode: 0, errmsg: 'ok' },
    });
    expect(server.lastRawBody(CREATE)).toBe(JSON.stringify(EVERY_TYPE));
    expect(server.menus.menu).toEqual(EVERY_TYPE.button);
    const state = await client.menu.get();
    expect(state).toEqual({
      menu: EVERY_TYPE,
      conditionalMenus: [],
      raw: { menu: EVERY_TYPE },
    });
    const live = await client.menu.getCurrentSelfMenu();
    expect(live.isMenuOpen).toBe(true);
    expect(live.buttons[1]).toEqual({
      name: '菜单',
      sub_button: { list: (EVERY_TYPE.button[1] as { sub_button: unknown[] }).sub_button },
    });
    await expect(client.menu.delete()).resolves.toEqual({ raw: { errcode: 0, errmsg: 'ok' } });
    expect(server.menus.menu).toBeUndefined();
    await refusedByWechat(client.menu.get(), 46003, '/cgi-bin/menu/get');
    await expect(client.menu.getCurrentSelfMenu()).resolves.toEqual({
      isMenuOpen: false,
      buttons: [],
      raw: { is_menu_open: 0 },
    });
  });

  it('accepts the exact byte limits (UTF-8): name 16, sub-button name 60, key 128, url 1024', async () => {
    const client = build();
    await client.menu.create({
      button: [
        { type: 'click', name: '一二三四五a', key: 'k'.repeat(128) },
        {
          name: 'x'.repeat(16),
          sub_button: [
            { type: 'view', name: '字'.repeat(20), url: `https://a.cn/${'u'.repeat(1011)}` },
          ],
        },
      ],
    });
    expect(server.calls(CREATE)).toBe(1);
  });

  it.each<[string, WechatMenu]>([
    ['button', { button: [] }],
    [
      'button',
      {
        button: Array.from({ length: 4 }, (_, i) => ({
          type: 'click' as const,
          name: `b${i}`,
          key: 'k',
        })),
      },
    ],
    ['button[0].name', { button: [{ type: 'click', name: '一二三四五六', key: 'k' }] }],
    ['button[0].name', { button: [{ type: 'click', name: 'x'.repeat(17), key: 'k' }] }],
    ['button[0].key', { button: [{ type: 'click', name: 'a', key: 'k'.repeat(129) }] }],
    ['button[0].url', { button: [{ type: 'view', name: 'a', url: 'u'.repeat(1025) }] }],
    ['button[0].sub_button', { button: [{ name: 'p', sub_button: [] }] }],
    [
      'button[0].sub_button',
      {
        button: [
          {
            name: 'p',
            sub_button: Array.from({ length: 6 }, () => ({
              type: 'click' as const,
              name: 's',
              key: 'k',
            })),
          },
        ],
      },
    ],
    [
      'button[0].sub_button[0].name',
      { button: [{ name: 'p', sub_button: [{ type: 'click', name: '字'.repeat(21), key: 'k' }] }] },
    ],
    ['button[0].type', { button: [{ type: 'dance', name: 'a', key: 'k' } as never] }],
    ['button[0].media_id', { button: [{ type: 'media_id', name: 'a', media_id: '' }] }],
    [
      'button[0].appid',
      {
        button: [{ type: 'miniprogram', name: 'a', url: 'https://a.cn', appid: '', pagepath: 'p' }],
      },
    ],
  ])('refuses a bad %s before sending (create costs 1 000 calls a day)', async (field, menu) => {
    const client = build();
    await refusedBeforeSending(client.menu.create(menu), field);
  });

  it('the stand-in refuses what WeChat refuses when sent raw (40016, 40018, 40025, 40017)', async () => {
    const client = build();
    const raw = (button: unknown) =>
      client.request({ method: 'POST', path: CREATE, body: { button } });
    await refusedByWechat(raw([]), 40016, CREATE);
    await refusedByWechat(raw([{ type: 'click', name: '一二三四五六', key: 'k' }]), 40018, CREATE);
    await refusedByWechat(
      raw([{ name: 'p', sub_button: [{ type: 'click', name: '字'.repeat(21), key: 'k' }] }]),
      40025,
      CREATE,
    );
    await refusedByWechat(raw([{ type: 'dance', name: 'a' }]), 40017, CREATE);
  });

  it('conditional menus: add (needs a default menu and a rule), trymatch by tag, delete', async () => {
    const client = build();
    const vip = {
      button: [{ type: 'click' as const, name: 'VIP', key: 'vip' }],
      matchrule: { tag_id: '100' },
    };
    await refusedByWechat(client.menu.addConditional(vip), 65303, '/cgi-bin/menu/addconditional');
    await refusedBeforeSending(client.menu.addConditional({ ...vip, matchrule: {} }), 'matchrule');
    await client.menu.create({ button: [{ type: 'click', name: '默认', key: 'default' }] });
    const added = await client.menu.addConditional(vip);
    expect(added).toEqual({ menuId: '400000001', raw: { menuid: '400000001' } });
    expect(server.lastBody('/cgi-bin/menu/addconditional')).toEqual(vip);
    server.setFollowers([OPENID]);
    await client.tags.create('VIP');
    await expect(client.menu.tryMatch(OPENID)).resolves.toMatchObject({
      buttons: [{ name: '默认' }],
    });
    await client.tags.tagUsers(100, [OPENID]);
    await expect(client.menu.tryMatch(OPENID)).resolves.toMatchObject({
      buttons: [{ name: 'VIP' }],
    });
    expect(server.lastBody('/cgi-bin/menu/trymatch')).toEqual({ user_id: OPENID });
    const state = await client.menu.get();
    expect(state.conditionalMenus).toEqual([{ ...vip, menuid: 400000001 }]);
    await client.menu.deleteConditional(added.menuId);
    expect(server.lastBody('/cgi-bin/menu/delconditional')).toEqual({ menuid: '400000001' });
    expect(server.menus.conditional).toEqual([]);
    await refusedByWechat(
      client.menu.deleteConditional(added.menuId),
      65301,
      '/cgi-bin/menu/delconditional',
    );
  });
});

describe('client.users and client.tags', () => {
  it('iterates 10 000 followers over 3 pages, following next_openid, in order', async () => {
    const paged = await startWechatApiServer({ followersPageSize: 4000 });
    servers.push(paged);
    const client = build({}, paged);
    const all = openIds(10_000);
    paged.setFollowers(all);
    const seen: string[] = [];
    for await (const openId of client.users.list()) seen.push(openId);
    expect(seen).toEqual(all);
    expect(paged.calls('/cgi-bin/user/get')).toBe(3);
    expect(paged.bodies('/cgi-bin/user/get')).toHaveLength(3);
    expect(paged.lastQuery('/cgi-bin/user/get')?.next_openid).toBe(all[7999]);
  });

  it('stops at an empty page; a page can be read alone; startAfter resumes', async () => {
    const client = build();
    await expect(client.users.page()).resolves.toEqual({
      total: 0,
      openIds: [],
      nextOpenId: '',
      raw: { total: 0, count: 0, next_openid: '' },
    });
    const seen: string[] = [];
    for await (const openId of client.users.list()) seen.push(openId);
    expect(seen).toEqual([]);
    server.setFollowers(openIds(5));
    const rest: string[] = [];
    for await (const openId of client.users.list(openIds(5)[1])) rest.push(openId);
    expect(rest).toEqual(openIds(5).slice(2));
    expect(server.lastQuery('/cgi-bin/user/get')?.next_openid).toBe(openIds(5)[4]);
  });

  it('remarks: ≤ 30 characters, checked before sending; a non-follower is 49003', async () => {
    const client = build();
    server.setFollowers([OPENID]);
    await client.users.updateRemark(OPENID, '老客户'.repeat(10));
    expect(server.remark(OPENID)).toBe('老客户'.repeat(10));
    expect(server.lastBody('/cgi-bin/user/info/updateremark')).toEqual({
      openid: OPENID,
      remark: '老客户'.repeat(10),
    });
    await refusedBeforeSending(client.users.updateRemark(OPENID, 'x'.repeat(31)), 'remark');
    await refusedBeforeSending(client.users.updateRemark('', 'x'), 'openId');
    await refusedByWechat(
      client.users.updateRemark('oNotAFollower1', 'x'),
      49003,
      '/cgi-bin/user/info/updateremark',
    );
  });

  it('blacklist: 45 openids in chunks of 20, iterated back, unblocked', async () => {
    const client = build();
    const list = openIds(45);
    server.setFollowers(list);
    await expect(client.users.block(list)).resolves.toEqual({
      calls: 3,
      raw: [0, 1, 2].map(() => ({ errcode: 0, errmsg: 'ok' })),
    });
    expect(server.bodies('/cgi-bin/tags/members/batchblacklist')).toEqual([
      { openid_list: list.slice(0, 20) },
      { openid_list: list.slice(20, 40) },
      { openid_list: list.slice(40) },
    ]);
    const seen: string[] = [];
    for await (const openId of client.users.blacklist()) seen.push(openId);
    expect(seen).toEqual(list);
    expect(server.lastBody('/cgi-bin/tags/members/getblacklist')).toEqual({ begin_openid: '' });
    await client.users.unblock(list.slice(0, 44));
    expect(server.blacklist).toEqual([list[44]]);
    await refusedBeforeSending(client.users.block([]), 'openIds');
    await refusedBeforeSending(client.users.block([OPENID, '']), 'openIds[1]');
  });

  it('tags: create, list, rename, delete; name ≤ 30 bytes; a taken name is 45157', async () => {
    const client = build();
    await expect(client.tags.create('广东')).resolves.toEqual({
      tag: { id: 100, name: '广东' },
      raw: { tag: { id: 100, name: '广东' } },
    });
    await refusedByWechat(client.tags.create('广东'), 45157, '/cgi-bin/tags/create');
    await expect(client.tags.list()).resolves.toEqual({
      tags: [{ id: 100, name: '广东', count: 0 }],
      raw: { tags: [{ id: 100, name: '广东', count: 0 }] },
    });
    await client.tags.update(100, '广州');
    expect(server.lastBody('/cgi-bin/tags/update')).toEqual({ tag: { id: 100, name: '广州' } });
    expect(server.tags.map((t) => t.name)).toEqual(['广州']);
    await client.tags.delete(100);
    expect(server.lastBody('/cgi-bin/tags/delete')).toEqual({ tag: { id: 100 } });
    expect(server.tags).toEqual([]);
    await refusedByWechat(client.tags.delete(100), 45159, '/cgi-bin/tags/delete');
    await client.tags.create('字'.repeat(10));
    await refusedBeforeSending(client.tags.create('字'.repeat(10) + 'x'), 'name');
    await refusedBeforeSending(client.tags.create(''), 'name');
    await refusedBeforeSending(client.tags.update(1.5, 'a'), 'id');
  });

  it('tagging: 120 openids in chunks of 50; members iterated; tags of a user; untagging', async () => {
    const client = build();
    const list = openIds(120);
    server.setFollowers(list);
    const { tag } = await client.tags.create('VIP');
    await expect(client.tags.tagUsers(tag.id, list)).resolves.toMatchObject({ calls: 3 });
    expect(server.bodies('/cgi-bin/tags/members/batchtagging')).toEqual([
      { openid_list: list.slice(0, 50), tagid: tag.id },
      { openid_list: list.slice(50, 100), tagid: tag.id },
      { openid_list: list.slice(100), tagid: tag.id },
    ]);
    const members: string[] = [];
    for await (const openId of client.tags.members(tag.id)) members.push(openId);
    expect(members).toEqual(list);
    expect(server.lastBody('/cgi-bin/user/tag/get')).toEqual({
      tagid: tag.id,
      next_openid: list[119],
    });
    await expect(client.tags.tagsOf(list[0])).resolves.toEqual({
      tagIds: [tag.id],
      raw: { tagid_list: [tag.id] },
    });
    await client.tags.untagUsers(tag.id, list.slice(0, 60));
    expect(server.calls('/cgi-bin/tags/members/batchuntagging')).toBe(2);
    expect(server.tags[0].members).toEqual(list.slice(60));
    await refusedByWechat(
      client.tags.tagUsers(tag.id, ['oNotAFollower1']),
      49003,
      '/cgi-bin/tags/members/batchtagging',
    );
    await refusedBeforeSending(client.tags.tagUsers(tag.id, []), 'openIds');
    expect(() => client.tags.members(-1)).toThrow(WechatValidationError);
  });
});

describe('client.customerService', () => {
  const SEND = '/cgi-bin/message/custom/send';

  it('sends every message type with its exact body, optionally as a kf_account', async () => {
    const client = build();
    const cs = client.customerService;
    const kf = { kfAccount: 'kf2001@gh_0123456789ab' };
    const sent: [Promise<unknown>, Record<string, unknown>][] = [
      [cs.sendText(OPENID, '你好 👋'), { msgtype: 'text', text: { content: '你好 👋' } }],
      [cs.sendImage(OPENID, 'IMG'), { msgtype: 'image', image: { media_id: 'IMG' } }],
      [cs.sendVoice(OPENID, 'VOI'), { msgtype: 'voice', voice: { media_id: 'VOI' } }],
      [
        cs.sendVideo(OPENID, { media_id: 'V', thumb_media_id: 'T', title: 't' }),
        { msgtype: 'video', video: { media_id: 'V', thumb_media_id: 'T', title: 't' } },
      ],
      [
        cs.sendMusic(OPENID, {
          musicurl: 'https://m',
          hqmusicurl: 'https://hq',
          thumb_media_id: 'T',
        }),
        {
          msgtype: 'music',
          music: { musicurl: 'https://m', hqmusicurl: 'https://hq', thumb_media_id: 'T' },
        },
      ],
      [
        cs.sendNews(OPENID, { title: 'Happy Day', url: 'https://a.cn', picurl: 'https://p' }),
        {
          msgtype: 'news',
          news: { articles: [{ title: 'Happy Day', url: 'https://a.cn', picurl: 'https://p' }] },
        },
      ],
      [cs.sendMpNews(OPENID, 'MPN'), { msgtype: 'mpnews', mpnews: { media_id: 'MPN' } }],
      [
        cs.sendMpNewsArticle(OPENID, 'ART'),
        { msgtype: 'mpnewsarticle', mpnewsarticle: { article_id: 'ART' } },
      ],
      [
        cs.sendMenu(OPENID, {
          head_content: '您对本次服务是否满意呢? ',
          list: [
            { id: '101', content: '满意' },
            { id: '102', content: '不满意' },
          ],
          tail_content: '欢迎再次光临',
        }),
        {
          msgtype: 'msgmenu',
          msgmenu: {
            head_content: '您对本次服务是否满意呢? ',
            list: [
              { id: '101', content: '满意' },
              { id: '102', content: '不满意' },
            ],
            tail_content: '欢迎再次光临',
          },
        },
      ],
      [
        cs.sendMiniProgramPage(
          OPENID,
          { title: 'T', appid: 'wxmini', pagepath: 'pages/index', thumb_media_id: 'TH' },
          kf,
        ),
        {
          msgtype: 'miniprogrampage',
          miniprogrampage: {
            title: 'T',
            appid: 'wxmini',
            pagepath: 'pages/index',
            thumb_media_id: 'TH',
          },
          customservice: { kf_account: kf.kfAccount },
        },
      ],
    ];
    for (const [promise, body] of sent) {
      await expect(promise).resolves.toEqual({ raw: { errcode: 0, errmsg: 'ok' } });
      expect(server.lastBody(SEND)).toEqual({ touser: OPENID, ...body });
    }
    expect(server.calls(SEND)).toBe(sent.length);
    expect(server.lastRawBody(SEND)).not.toContain('\\u');
  });

  it('typing on and off', async () => {
    const client = build();
    await client.customerService.typing(OPENID);
    expect(server.lastBody('/cgi-bin/message/custom/typing')).toEqual({
      touser: OPENID,
      command: 'Typing',
    });
    await client.customerService.typing(OPENID, false);
    expect(server.lastBody('/cgi-bin/message/custom/typing')).toEqual({
      touser: OPENID,
      command: 'CancelTyping',
    });
    await refusedByWechat(
      client.customerService.typing('bad'),
      40003,
      '/cgi-bin/message/custom/typing',
    );
  });

  it.each([
    ['touser', { touser: '', msgtype: 'text', text: { content: 'x' } }],
    ['msgtype', { touser: OPENID, msgtype: 'fax', fax: {} }],
    ['text', { touser: OPENID, msgtype: 'text' }],
    ['text.content', { touser: OPENID, msgtype: 'text', text: { content: '' } }],
    ['video.thumb_media_id', { touser: OPENID, msgtype: 'video', video: { media_id: 'V' } }],
    [
      'news.articles',
      { touser: OPENID, msgtype: 'news', news: { articles: [{ title: 'a' }, { title: 'b' }] } },
    ],
    [
      'msgmenu.list',
      {
        touser: OPENID,
        msgtype: 'msgmenu',
        msgmenu: { head_content: '', list: [], tail_content: '' },
      },
    ],
    [
      'miniprogrampage.appid',
      {
        touser: OPENID,
        msgtype: 'miniprogrampage',
        miniprogrampage: { title: 't', pagepath: 'p', thumb_media_id: 'x' },
      },
    ],
    [
      'customservice.kf_account',
      {
        touser: OPENID,
        msgtype: 'text',
        text: { content: 'x' },
        customservice: { kf_account: 'nobody' },
      },
    ],
  ])('refuses a bad %s before sending', async (field, message) => {
    const client = build();
    await refusedBeforeSending(
      client.customerService.send(message as Parameters<typeof client.customerService.send>[0]),
      field,
    );
  });

  it('45015 outside the 48 h window surfaces as a WechatApiError after one call', async () => {
    const client = build();
    server.injectError(SEND, { errcode: 45015, errmsg: 'response out of time limit' });
    await refusedByWechat(client.customerService.sendText(OPENID, 'late'), 45015, SEND);
    expect(server.calls(SEND)).toBe(1);
  });
});

describe('client.subscribe', () => {
  const SEND = '/cgi-bin/message/subscribe/bizsend';

  it('sends a notification with its exact body', async () => {
    const client = build();
    const templateId = server.addSubscribeTemplate();
    const message = {
      touser: OPENID,
      template_id: templateId,
      page: 'https://example.com/orders/1',
      miniprogram: { appid: 'wxmini', pagepath: 'pages/order?id=1' },
      data: {
        thing1: { value: '巧克力' },
        character_string2: { value: 'SF1234' },
        time3: { value: '15:01' },
      },
    };
    await expect(client.subscribe.send(message)).resolves.toEqual({
      raw: { errcode: 0, errmsg: 'ok' },
    });
    expect(server.lastBody(SEND)).toEqual(message);
    await client.subscribe.send({
      touser: OPENID,
      template_id: templateId,
      data: { thing1: { value: 'x' } },
    });
    expect(server.lastRawBody(SEND)).toBe(
      `{"touser":"${OPENID}","template_id":"${templateId}","data":{"thing1":{"value":"x"}}}`,
    );
  });

  it('43101 (refused) and 47003 (naming the field) come back typed with their hints', async () => {
    const client = build();
    const templateId = server.addSubscribeTemplate();
    const tooLong = await refusedByWechat(
      client.subscribe.send({
        touser: OPENID,
        template_id: templateId,
        data: { thing1: { value: '字'.repeat(21) } },
      }),
      47003,
      SEND,
    );
    expect(tooLong.field).toBe('thing1');
    expect(tooLong.hint).toContain('"thing1" (thing: at most 20 characters)');
    server.refuseSubscription(OPENID);
    const refused = await refusedByWechat(
      client.subscribe.send({
        touser: OPENID,
        template_id: templateId,
        data: { thing1: { value: 'ok' } },
      }),
      43101,
      SEND,
    );
    expect(refused.hint).toBe(wechatErrorHint(43101));
    expect(server.calls(SEND)).toBe(2);
  });

  it.each([
    ['touser', { touser: '', template_id: 'T', data: { thing1: { value: 'x' } } }],
    ['template_id', { touser: OPENID, template_id: '', data: { thing1: { value: 'x' } } }],
    ['data', { touser: OPENID, template_id: 'T', data: {} }],
    ['data.thing1.value', { touser: OPENID, template_id: 'T', data: { thing1: {} } }],
    [
      'miniprogram.pagepath',
      {
        touser: OPENID,
        template_id: 'T',
        data: { thing1: { value: 'x' } },
        miniprogram: { appid: 'a' },
      },
    ],
  ])('refuses a bad %s before sending', async (field, message) => {
    const client = build();
    await refusedBeforeSending(
      client.subscribe.send(message as Parameters<typeof client.subscribe.send>[0]),
      field,
    );
  });

  it('templates: categories, public titles and keywords, add, list, delete', async () => {
    const client = build();
    await expect(client.subscribe.categories()).resolves.toMatchObject({
      categories: [{ id: 616, name: '公交' }],
    });
    const titles = await client.subscribe.pubTemplateTitles([616], { start: 0, limit: 30 });
    expect(server.lastQuery('/wxaapi/newtmpl/getpubtemplatetitles')).toEqual({
      ids: '616',
      start: '0',
      limit: '30',
      access_token: server.issuedTokens[0],
    });
    expect(titles.titles.map((t) => t.tid)).toEqual([1001, 1002]);
    const keywords = await client.subscribe.pubTemplateKeywords('1001');
    expect(keywords.keywords.map((k) => k.kid)).toEqual([1, 2, 3]);
    const added = await client.subscribe.addTemplate('1001', [1, 2, 3], '发货通知');
    expect(server.lastBody('/wxaapi/newtmpl/addtemplate')).toEqual({
      tid: '1001',
      kidList: [1, 2, 3],
      sceneDesc: '发货通知',
    });
    expect(added).toEqual({
      priTmplId: server.subscribeTemplates[0].priTmplId,
      raw: { errcode: 0, errmsg: 'ok', priTmplId: added.priTmplId },
    });
    const list = await client.subscribe.templates();
    expect(list.templates).toEqual([
      {
        priTmplId: added.priTmplId,
        title: '订单发货通知',
        content: '{{thing1.DATA}}\n{{character_string2.DATA}}\n{{time3.DATA}}',
        example: '',
        type: 2,
      },
    ]);
    await client.subscribe.deleteTemplate(added.priTmplId);
    expect(server.subscribeTemplates).toEqual([]);
    await refusedBeforeSending(client.subscribe.addTemplate('1001', [1]), 'keywordIds');
    await refusedBeforeSending(client.subscribe.pubTemplateTitles([], {}), 'categoryIds');
    await refusedBeforeSending(client.subscribe.pubTemplateTitles([1], { limit: 31 }), 'limit');
  });
});

describe('client.drafts and client.publish', () => {
  const png = Buffer.from('ffd8ffe000104a464946', 'hex');

  it('a draft: add (thumb from permanent material), get, update, count, list, delete', async () => {
    const client = build();
    const thumb = await client.media.addMaterial('thumb', { buffer: png, fileName: 'cover.jpg' });
    const article = {
      title: '标题',
      author: '作者',
      digest: '摘要',
      content: '<p>正文</p>',
      content_source_url: 'https://example.com',
      thumb_media_id: thumb.mediaId,
      need_open_comment: 1 as const,
      only_fans_can_comment: 0 as const,
    };
    const added = await client.drafts.add([article]);
    expect(server.lastBody('/cgi-bin/draft/add')).toEqual({ articles: [article] });
    expect(added).toEqual({ mediaId: added.raw.media_id, raw: { media_id: added.mediaId } });
    expect(server.draft(added.mediaId)).toEqual([article]);
    await expect(client.drafts.get(added.mediaId)).resolves.toEqual({
      articles: [article],
      raw: { news_item: [article] },
    });
    const changed = { ...article, title: '新标题' };
    await client.drafts.update(added.mediaId, 0, changed);
    expect(server.lastBody('/cgi-bin/draft/update')).toEqual({
      media_id: added.mediaId,
      index: 0,
      articles: changed,
    });
    expect(server.draft(added.mediaId)).toEqual([changed]);
    await expect(client.drafts.count()).resolves.toEqual({ total: 1, raw: { total_count: 1 } });
    const list = await client.drafts.list({ noContent: true });
    expect(server.lastBody('/cgi-bin/draft/batchget')).toEqual({
      offset: 0,
      count: 20,
      no_content: 1,
    });
    expect(list).toMatchObject({ totalCount: 1, itemCount: 1 });
    expect(list.items[0].content.news_item[0]).not.toHaveProperty('content');
    await refusedByWechat(
      client.drafts.update(added.mediaId, 3, changed),
      53604,
      '/cgi-bin/draft/update',
    );
    await client.drafts.delete(added.mediaId);
    expect(server.draft(added.mediaId)).toBeUndefined();
    await refusedByWechat(client.drafts.get(added.mediaId), 40007, '/cgi-bin/draft/get');
  });

  it('refusals: before sending (no articles, 9 articles, no title, no thumb) and by WeChat (a thumb that is not permanent)', async () => {
    const client = build();
    const article = { title: 't', content: 'c', thumb_media_id: 'THUMB' };
    await refusedBeforeSending(client.drafts.add([]), 'articles');
    await refusedBeforeSending(
      client.drafts.add(Array.from({ length: 9 }, () => article)),
      'articles',
    );
    await refusedBeforeSending(client.drafts.add([{ ...article, title: '' }]), 'articles[0].title');
    await refusedBeforeSending(
      client.drafts.add([article, { title: 't', content: 'c' }]),
      'articles[1].thumb_media_id',
    );
    await refusedBeforeSending(client.drafts.list({ count: 21 }), 'count');
    await refusedByWechat(client.drafts.add([article]), 40007, '/cgi-bin/draft/add');
  });

  it('publishing: submit → publish_id exact above 2^53, get the job, read the article, list, delete', async () => {
    const client = build();
    const thumb = await client.media.addMaterial('thumb', { buffer: png, fileName: 'cover.jpg' });
    const articles = [
      { title: '一', content: '<p>1</p>', thumb_media_id: thumb.mediaId },
      { title: '二', content: '<p>2</p>', thumb_media_id: thumb.mediaId },
    ];
    const { mediaId } = await client.drafts.add(articles);
    const submitted = await client.publish.submit(mediaId);
    expect(server.lastBody('/cgi-bin/freepublish/submit')).toEqual({ media_id: mediaId });
    expect(submitted).toEqual({
      publishId: '9007199254741003',
      msgDataId: '9007199254741092',
      raw: {
        errcode: 0,
        errmsg: 'ok',
        publish_id: '9007199254741003',
        msg_data_id: '9007199254741092',
      },
    });
    expect(server.draft(mediaId)).toBeUndefined();
    const [publication] = server.publications;
    const job = await client.publish.get(submitted.publishId);
    expect(server.lastRawBody('/cgi-bin/freepublish/get')).toBe(
      '{"publish_id":"9007199254741003"}',
    );
    expect(job).toEqual({
      publishId: '9007199254741003',
      status: 0,
      articleId: publication.articleId,
      articleUrls: [
        'http://mp.weixin.qq.com/s/sandbox_9007199254741003_1',
        'http://mp.weixin.qq.com/s/sandbox_9007199254741003_2',
      ],
      failedIndexes: [],
      raw: expect.objectContaining({ publish_id: '9007199254741003', publish_status: 0 }),
    });
    const read = await client.publish.getArticle(publication.articleId);
    expect(read.articles.map((a) => a.title)).toEqual(['一', '二']);
    await expect(client.publish.list()).resolves.toMatchObject({ totalCount: 1, itemCount: 1 });
    await client.publish.delete(publication.articleId, 2);
    expect(server.lastBody('/cgi-bin/freepublish/delete')).toEqual({
      article_id: publication.articleId,
      index: 2,
    });
    expect(server.publications[0].articles.map((a) => a.is_deleted)).toEqual([false, true]);
    await client.publish.delete(publication.articleId);
    await expect(client.publish.list()).resolves.toMatchObject({ totalCount: 0, items: [] });
    await refusedByWechat(client.publish.get('1'), 53600, '/cgi-bin/freepublish/get');
    await refusedBeforeSending(client.publish.delete(publication.articleId, 0), 'index');
    await refusedBeforeSending(client.publish.submit(''), 'mediaId');
  });
});
