import { randomBytes } from 'node:crypto';
import {
  jsonBody,
  type Json,
  ok,
  paging,
  SandboxApiError,
  type SandboxAnswer,
  type SandboxDomain,
  type SandboxRequest,
} from './sandbox-request';

/** A file the sandbox stored (temporary media, permanent material or an article image). */
export interface FixtureMedia {
  readonly mediaId: string;
  readonly type: string;
  readonly permanent: boolean;
  readonly fileName: string;
  readonly contentType: string;
  /** The uploaded bytes, exactly. */
  readonly data: Buffer;
  /** A video's `description` form field, parsed. */
  readonly description?: { title?: string; introduction?: string };
  /** The URL WeChat gives images (permanent images and article images). */
  readonly url?: string;
  /** Unix seconds. */
  readonly createdAt: number;
}

/** One part of a multipart request the sandbox received. */
export interface FixtureFormPart {
  readonly name: string;
  /** File parts only. */
  readonly fileName?: string;
  /** File parts only. */
  readonly contentType?: string;
  /** The part's bytes (for a text field, its UTF-8 bytes). */
  readonly data: Buffer;
}

const MB = 1024 * 1024;
const LIMITS: Readonly<Record<string, { temporary: number; permanent: number; ext: string[] }>> = {
  image: { temporary: 2 * MB, permanent: 10 * MB, ext: ['jpg', 'jpeg', 'png', 'gif', 'bmp'] },
  voice: { temporary: 2 * MB, permanent: 2 * MB, ext: ['mp3', 'amr', 'wma', 'wav'] },
  video: { temporary: 10 * MB, permanent: 10 * MB, ext: ['mp4'] },
  thumb: { temporary: 64 * 1024, permanent: 64 * 1024, ext: ['jpg', 'jpeg'] },
};

/** Caps of permanent material per type. */
const PERMANENT_CAPS: Readonly<Record<string, number>> = {
  image: 100_000,
  voice: 1_000,
  video: 1_000,
  thumb: 100_000,
};

const PATHS = {
  upload: '/cgi-bin/media/upload',
  get: '/cgi-bin/media/get',
  uploadImage: '/cgi-bin/media/uploadimg',
  addMaterial: '/cgi-bin/material/add_material',
  getMaterial: '/cgi-bin/material/get_material',
  deleteMaterial: '/cgi-bin/material/del_material',
  materialCount: '/cgi-bin/material/get_materialcount',
  listMaterial: '/cgi-bin/material/batchget_material',
} as const;

/**
 * Media and material, with WeChat's checks: a multipart body with a file part `media` (41005
 * otherwise, e.g. for a hand-set Content-Type without boundary), a known `type` (40004), a file
 * name with an extension (40113) WeChat accepts for the type (40005), a non-empty file (40006)
 * within the type's size (45001), a video material's `description` (40007 is kept for unknown
 * media ids). Stores every file byte for byte.
 */
export class SandboxMedia implements SandboxDomain {
  readonly paths: ReadonlySet<string> = new Set(Object.values(PATHS));
  private files = new Map<string, FixtureMedia>();
  private parts = new Map<string, FixtureFormPart[]>();
  private seq = 0;

  /** The file stored under `mediaId`. */
  media(mediaId: string): FixtureMedia | undefined {
    return this.files.get(mediaId);
  }

  /** Whether `mediaId` is permanent material (what drafts need as a thumb). */
  isPermanent(mediaId: unknown): boolean {
    return typeof mediaId === 'string' && this.files.get(mediaId)?.permanent === true;
  }

  /** The multipart parts of the last multipart request on `path`. */
  lastParts(path: string): FixtureFormPart[] | undefined {
    const parts = this.parts.get(path);
    return parts ? [...parts] : undefined;
  }

  reset(): void {
    this.files = new Map();
    this.parts = new Map();
    this.seq = 0;
  }

  async route(request: SandboxRequest): Promise<SandboxAnswer> {
    switch (request.path) {
      case PATHS.upload:
        return this.upload(request, false);
      case PATHS.addMaterial:
        return this.upload(request, true);
      case PATHS.uploadImage:
        return this.uploadImage(request);
      case PATHS.get:
        return this.get(request.query.get('media_id'));
      case PATHS.getMaterial:
        return this.getMaterial(jsonBody(request).media_id);
      case PATHS.deleteMaterial: {
        const id = jsonBody(request).media_id;
        if (!this.isPermanent(id)) throw new SandboxApiError(40007, 'invalid media_id');
        this.files.delete(id as string);
        return ok();
      }
      case PATHS.materialCount:
        return JSON.stringify({
          voice_count: this.count('voice'),
          video_count: this.count('video'),
          image_count: this.count('image'),
          news_count: 0,
        });
      case PATHS.listMaterial:
        return this.list(jsonBody(request));
      default:
        return undefined;
    }
  }

  private count(type: string): number {
    let n = 0;
    for (const file of this.files.values()) if (file.permanent && file.type === type) n++;
    return n;
  }

  private async formParts(request: SandboxRequest): Promise<FixtureFormPart[]> {
    if (!/^multipart\/form-data;\s*boundary=/i.test(request.contentType)) {
      throw new SandboxApiError(41005, 'media data missing');
    }
    let form: FormData;
    try {
      form = await new Response(request.bytes, {
        headers: { 'content-type': request.contentType },
      }).formData();
    } catch {
      throw new SandboxApiError(41005, 'media data missing');
    }
    const parts: FixtureFormPart[] = [];
    for (const [name, value] of form) {
      if (typeof value === 'string') {
        parts.push({ name, data: Buffer.from(value, 'utf8') });
      } else {
        parts.push({
          name,
          fileName: value.name,
          contentType: value.type,
          data: Buffer.from(await value.arrayBuffer()),
        });
      }
    }
    this.parts.set(request.path, parts);
    return parts;
  }

  private async mediaPart(
    request: SandboxRequest,
    extensions: readonly string[],
    maxBytes: number,
  ): Promise<{ part: FixtureFormPart; parts: FixtureFormPart[] }> {
    const parts = await this.formParts(request);
    const part = parts.find((p) => p.name === 'media' && p.fileName !== undefined);
    if (!part) throw new SandboxApiError(41005, 'media data missing');
    const name = part.fileName ?? '';
    const dot = name.lastIndexOf('.');
    if (dot <= 0 || dot === name.length - 1) {
      throw new SandboxApiError(40113, 'unsupported file type');
    }
    if (!extensions.includes(name.slice(dot + 1).toLowerCase())) {
      throw new SandboxApiError(40005, 'invalid file type');
    }
    if (part.data.length === 0) throw new SandboxApiError(40006, 'invalid meida size');
    if (part.data.length > maxBytes) throw new SandboxApiError(45001, 'media size out of limit');
    return { part, parts };
  }

  private async upload(request: SandboxRequest, permanent: boolean): Promise<string> {
    const type = request.query.get('type') ?? '';
    const limits = LIMITS[type];
    if (!limits) throw new SandboxApiError(40004, 'invalid media type');
    const { part, parts } = await this.mediaPart(
      request,
      permanent ? limits.ext : limits.ext.filter((e) => e !== 'wma' && e !== 'wav'),
      permanent ? limits.permanent : limits.temporary,
    );
    let description: FixtureMedia['description'];
    if (permanent && type === 'video') {
      const field = parts.find((p) => p.name === 'description');
      try {
        description = field ? (JSON.parse(field.data.toString('utf8')) as Json) : undefined;
      } catch {
        description = undefined;
      }
      if (typeof description?.title !== 'string' || description.title === '') {
        throw new SandboxApiError(40007, 'invalid description: title missing');
      }
    }
    if (permanent && this.count(type) >= (PERMANENT_CAPS[type] ?? 0)) {
      throw new SandboxApiError(45028, 'has no masssend quota');
    }
    const mediaId = this.newId(permanent);
    const url =
      permanent && type === 'image'
        ? `http://mmbiz.qpic.cn/sandbox/${mediaId}/0?wx_fmt=${part.fileName?.split('.').pop()}`
        : undefined;
    const createdAt = Math.floor(Date.now() / 1000);
    this.files.set(mediaId, {
      mediaId,
      type,
      permanent,
      fileName: part.fileName as string,
      contentType: part.contentType || 'application/octet-stream',
      data: part.data,
      description,
      url,
      createdAt,
    });
    if (permanent) return JSON.stringify(url ? { media_id: mediaId, url } : { media_id: mediaId });
    return JSON.stringify(
      type === 'thumb'
        ? { type, thumb_media_id: mediaId, created_at: createdAt }
        : { type, media_id: mediaId, created_at: createdAt },
    );
  }

  private async uploadImage(request: SandboxRequest): Promise<string> {
    const { part } = await this.mediaPart(request, ['jpg', 'jpeg', 'png'], MB);
    const mediaId = this.newId(false);
    const url = `http://mmbiz.qpic.cn/sandbox/${mediaId}/0`;
    this.files.set(mediaId, {
      mediaId,
      type: 'article_image',
      permanent: false,
      fileName: part.fileName as string,
      contentType: part.contentType || 'application/octet-stream',
      data: part.data,
      url,
      createdAt: Math.floor(Date.now() / 1000),
    });
    return JSON.stringify({ url });
  }

  private get(mediaId: string | null): SandboxAnswer {
    const file = mediaId === null ? undefined : this.files.get(mediaId);
    if (!file || file.permanent) throw new SandboxApiError(40007, 'invalid media_id');
    if (file.type === 'video') {
      return JSON.stringify({ video_url: `http://sandbox-video.weixin.qq.com/${file.mediaId}` });
    }
    return { file: file.data, contentType: file.contentType, fileName: file.fileName };
  }

  private getMaterial(mediaId: unknown): SandboxAnswer {
    const file = this.isPermanent(mediaId) ? this.files.get(mediaId as string) : undefined;
    if (!file) throw new SandboxApiError(40007, 'invalid media_id');
    if (file.type === 'video') {
      return JSON.stringify({
        title: file.description?.title ?? '',
        description: file.description?.introduction ?? '',
        down_url: `http://sandbox-video.weixin.qq.com/${file.mediaId}`,
      });
    }
    return { file: file.data, contentType: file.contentType, fileName: file.fileName };
  }

  private list(body: Json): string {
    const type = body.type;
    if (type !== 'image' && type !== 'voice' && type !== 'video' && type !== 'news') {
      throw new SandboxApiError(40004, 'invalid media type');
    }
    const { offset, count } = paging(body);
    const all = [...this.files.values()].filter((f) => f.permanent && f.type === type);
    const item = all.slice(offset, offset + count).map((f) => ({
      media_id: f.mediaId,
      name: f.fileName,
      update_time: f.createdAt,
      ...(f.url ? { url: f.url } : {}),
    }));
    return JSON.stringify({ total_count: all.length, item_count: item.length, item });
  }

  private newId(permanent: boolean): string {
    this.seq++;
    return `${permanent ? 'P' : 'T'}${String(this.seq).padStart(4, '0')}_${randomBytes(18).toString('base64url')}`;
  }
}
