import { WechatValidationError } from '../../errors/wechat-api.error';
import type { WechatApiCaller } from '../wechat-api.caller';
import type { WechatBaseResponse, WechatOkResult } from '../wechat-api.interfaces';
import { requireInt, requireOneOf, requireText } from './domain-validation';
import {
  ARTICLE_IMAGE_RULE,
  PERMANENT_MATERIAL_RULES,
  prepareUpload,
  TEMPORARY_MEDIA_RULES,
  type WechatUploadRule,
} from './media-upload.file';
import type {
  WechatMaterial,
  WechatMaterialAddResponse,
  WechatMaterialAddResult,
  WechatMaterialCount,
  WechatMaterialCountResponse,
  WechatMaterialList,
  WechatMaterialListResponse,
  WechatMaterialListType,
  WechatMaterialNewsResponse,
  WechatMaterialType,
  WechatMaterialVideoResponse,
  WechatMediaDownload,
  WechatMediaType,
  WechatMediaUploadResponse,
  WechatMediaUploadResult,
  WechatMediaVideoResponse,
  WechatUploadFile,
  WechatUploadImageResponse,
  WechatUploadImageResult,
  WechatVideoDescription,
} from './media.interfaces';

/** API paths of the media domain. */
export const MEDIA_PATHS = {
  upload: '/cgi-bin/media/upload',
  get: '/cgi-bin/media/get',
  uploadImage: '/cgi-bin/media/uploadimg',
  addMaterial: '/cgi-bin/material/add_material',
  getMaterial: '/cgi-bin/material/get_material',
  deleteMaterial: '/cgi-bin/material/del_material',
  materialCount: '/cgi-bin/material/get_materialcount',
  listMaterial: '/cgi-bin/material/batchget_material',
} as const;

const MEDIA_TYPES: readonly WechatMediaType[] = ['image', 'voice', 'video', 'thumb'];
const LIST_TYPES: readonly WechatMaterialListType[] = ['image', 'voice', 'video', 'news'];

/**
 * `client.media`: temporary media (uploads valid 3 days, downloads), permanent material and
 * images for article bodies. Uploads are multipart (part `media`) through Node's `FormData`; the
 * size and file type are checked before anything is sent (protocol.md §9.3: temporary image and
 * voice 2 MB, video 10 MB, thumb 64 KB; permanent image 10 MB; article images jpg/png 1 MB).
 */
export class WechatMediaApi {
  /** @param api the account's token-authenticated request pipeline. */
  constructor(private readonly api: WechatApiCaller) {}

  /**
   * Uploads temporary media (`POST /cgi-bin/media/upload?type=…`).
   *
   * @throws WechatValidationError for an unknown type, a file over the type's limit, an empty file
   * or an extension WeChat refuses, before any HTTP call.
   */
  async upload(type: WechatMediaType, file: WechatUploadFile): Promise<WechatMediaUploadResult> {
    requireOneOf(type, MEDIA_TYPES, 'type');
    const form = await mediaForm(file, TEMPORARY_MEDIA_RULES[type]);
    const raw = await this.api.call<WechatMediaUploadResponse>({
      method: 'POST',
      path: MEDIA_PATHS.upload,
      query: { type },
      form,
    });
    return {
      type: raw.type,
      mediaId: (raw.media_id ?? raw.thumb_media_id) as string,
      createdAt: Number(raw.created_at),
      raw,
    };
  }

  /**
   * Downloads temporary media (`GET /cgi-bin/media/get`): the file's bytes, or for a video the
   * URL WeChat answers with (`{ video_url }`).
   */
  async get(mediaId: string): Promise<WechatMediaDownload> {
    requireText(mediaId, 'mediaId');
    const answer = await this.api.callFile<WechatMediaVideoResponse>({
      method: 'GET',
      path: MEDIA_PATHS.get,
      query: { media_id: mediaId },
    });
    if (answer.kind === 'file') return answer;
    return { kind: 'video', videoUrl: answer.data.video_url, raw: answer.data };
  }

  /**
   * Adds permanent material (`POST /cgi-bin/material/add_material?type=…`); a video needs its
   * `description` (`{ title, introduction }`).
   *
   * @throws WechatValidationError as {@link upload}, and for a video without a title.
   */
  async addMaterial(
    type: WechatMaterialType,
    file: WechatUploadFile,
    description?: WechatVideoDescription,
  ): Promise<WechatMaterialAddResult> {
    requireOneOf(type, MEDIA_TYPES, 'type');
    if (type === 'video') {
      requireText(description?.title, 'description.title');
    } else if (description !== undefined) {
      throw new WechatValidationError('description', 'only a video takes a description.');
    }
    const form = await mediaForm(file, PERMANENT_MATERIAL_RULES[type]);
    if (description !== undefined) {
      form.append(
        'description',
        JSON.stringify({ title: description.title, introduction: description.introduction ?? '' }),
      );
    }
    const raw = await this.api.call<WechatMaterialAddResponse>({
      method: 'POST',
      path: MEDIA_PATHS.addMaterial,
      query: { type },
      form,
    });
    const result: WechatMaterialAddResult = { mediaId: raw.media_id, raw };
    if (raw.url !== undefined) result.url = raw.url;
    return result;
  }

  /**
   * Reads permanent material (`POST /cgi-bin/material/get_material`): the file for images, voice
   * and thumbs; title, description and download URL for a video; the articles for news.
   */
  async getMaterial(mediaId: string): Promise<WechatMaterial> {
    requireText(mediaId, 'mediaId');
    const answer = await this.api.callFile<
      WechatMaterialVideoResponse | WechatMaterialNewsResponse
    >({ method: 'POST', path: MEDIA_PATHS.getMaterial, body: { media_id: mediaId } });
    if (answer.kind === 'file') return answer;
    const raw = answer.data;
    if ('news_item' in raw) return { kind: 'news', articles: raw.news_item, raw };
    return {
      kind: 'video',
      title: raw.title,
      description: raw.description,
      downUrl: raw.down_url,
      raw,
    };
  }

  /** Deletes permanent material (`POST /cgi-bin/material/del_material`). */
  async deleteMaterial(mediaId: string): Promise<WechatOkResult> {
    requireText(mediaId, 'mediaId');
    const raw = await this.api.call<WechatBaseResponse>({
      method: 'POST',
      path: MEDIA_PATHS.deleteMaterial,
      body: { media_id: mediaId },
    });
    return { raw };
  }

  /** How much permanent material of each type exists (`GET …/get_materialcount`). */
  async materialCount(): Promise<WechatMaterialCount> {
    const raw = await this.api.call<WechatMaterialCountResponse>({
      method: 'GET',
      path: MEDIA_PATHS.materialCount,
    });
    return {
      voiceCount: raw.voice_count,
      videoCount: raw.video_count,
      imageCount: raw.image_count,
      newsCount: raw.news_count,
      raw,
    };
  }

  /**
   * One page of permanent material (`POST …/batchget_material`).
   *
   * @throws WechatValidationError for an unknown type, a negative offset or a count outside 1–20.
   */
  async listMaterial(
    type: WechatMaterialListType,
    page: { offset?: number; count?: number } = {},
  ): Promise<WechatMaterialList> {
    requireOneOf(type, LIST_TYPES, 'type');
    const offset = page.offset ?? 0;
    const count = page.count ?? 20;
    requireInt(offset, 0, Number.MAX_SAFE_INTEGER, 'offset');
    requireInt(count, 1, 20, 'count');
    const raw = await this.api.call<WechatMaterialListResponse>({
      method: 'POST',
      path: MEDIA_PATHS.listMaterial,
      body: { type, offset, count },
    });
    return { totalCount: raw.total_count, itemCount: raw.item_count, items: raw.item ?? [], raw };
  }

  /**
   * Uploads an image for use inside article content (`POST /cgi-bin/media/uploadimg`; jpg/png
   * under 1 MB; it counts against no material cap).
   */
  async uploadArticleImage(file: WechatUploadFile): Promise<WechatUploadImageResult> {
    const form = await mediaForm(file, ARTICLE_IMAGE_RULE);
    const raw = await this.api.call<WechatUploadImageResponse>({
      method: 'POST',
      path: MEDIA_PATHS.uploadImage,
      form,
    });
    return { url: raw.url, raw };
  }
}

async function mediaForm(file: WechatUploadFile, rule: WechatUploadRule): Promise<FormData> {
  const prepared = await prepareUpload(file, rule);
  const form = new FormData();
  form.append('media', prepared.blob, prepared.fileName);
  return form;
}
