// Argument and result shapes of client.media (temporary media and permanent material).

import type { WechatBaseResponse } from '../wechat-api.interfaces';

/** Type of a temporary media upload. */
export type WechatMediaType = 'image' | 'voice' | 'video' | 'thumb';

/** Type of permanent material (news is created through drafts). */
export type WechatMaterialType = 'image' | 'voice' | 'video' | 'thumb';

/** Type listed by `batchget_material`. */
export type WechatMaterialListType = 'image' | 'voice' | 'video' | 'news';

/** Name and type of an uploaded file; both optional. */
export interface WechatUploadFileMeta {
  /**
   * The file name WeChat sees. Non-ASCII characters become `_`; a name without an extension gets
   * the type's default (`.jpg`, `.mp3`, `.mp4`); an extension WeChat refuses for the type is a
   * WechatValidationError. Default: the path's base name, else `media.<default extension>`.
   */
  fileName?: string;
  /** The part's Content-Type. Default: from the extension. */
  contentType?: string;
}

/**
 * A file to upload: a path (streamed from disk, never read whole into memory), a Buffer, or a
 * stream (read into memory up to the type's size limit; larger is a WechatValidationError).
 */
export type WechatUploadFile =
  | ({ path: string } & WechatUploadFileMeta)
  | ({ buffer: Uint8Array } & WechatUploadFileMeta)
  | ({ stream: AsyncIterable<Uint8Array> } & WechatUploadFileMeta);

/** Raw answer of `POST /cgi-bin/media/upload`. */
export interface WechatMediaUploadResponse extends WechatBaseResponse {
  type: WechatMediaType;
  media_id?: string;
  /** For `thumb` uploads WeChat names the id `thumb_media_id`. */
  thumb_media_id?: string;
  created_at: number;
}

/** Result of `client.media.upload`. */
export interface WechatMediaUploadResult {
  type: WechatMediaType;
  /** Valid for 3 days. */
  mediaId: string;
  /** Unix seconds. */
  createdAt: number;
  raw: WechatMediaUploadResponse;
}

/** A downloaded file. */
export interface WechatDownloadedFile {
  kind: 'file';
  /** The file's bytes. */
  data: Buffer;
  /** The answer's Content-Type, e.g. `image/jpeg`. */
  contentType: string;
  /** The file name of WeChat's `Content-Disposition`, if any. */
  fileName?: string;
}

/** Raw answer of `GET /cgi-bin/media/get` for a video. */
export interface WechatMediaVideoResponse extends WechatBaseResponse {
  video_url: string;
}

/** Result of `client.media.get`: the file, or a video's download URL. */
export type WechatMediaDownload =
  WechatDownloadedFile | { kind: 'video'; videoUrl: string; raw: WechatMediaVideoResponse };

/** The title and introduction a permanent video needs. */
export interface WechatVideoDescription {
  title: string;
  introduction: string;
}

/** Raw answer of `POST /cgi-bin/material/add_material`. */
export interface WechatMaterialAddResponse extends WechatBaseResponse {
  media_id: string;
  /** For images: the image's URL (usable inside articles). */
  url?: string;
}

/** Result of `client.media.addMaterial`. */
export interface WechatMaterialAddResult {
  mediaId: string;
  url?: string;
  raw: WechatMaterialAddResponse;
}

/** Raw answer of `get_material` for a video. */
export interface WechatMaterialVideoResponse extends WechatBaseResponse {
  title: string;
  description: string;
  down_url: string;
}

/** One article of a news material. */
export interface WechatMaterialNewsItem {
  title: string;
  thumb_media_id: string;
  show_cover_pic?: number;
  author?: string;
  digest?: string;
  content: string;
  url: string;
  content_source_url?: string;
}

/** Raw answer of `get_material` for news. */
export interface WechatMaterialNewsResponse extends WechatBaseResponse {
  news_item: WechatMaterialNewsItem[];
}

/** Result of `client.media.getMaterial`. */
export type WechatMaterial =
  | WechatDownloadedFile
  | {
      kind: 'video';
      title: string;
      description: string;
      downUrl: string;
      raw: WechatMaterialVideoResponse;
    }
  | { kind: 'news'; articles: WechatMaterialNewsItem[]; raw: WechatMaterialNewsResponse };

/** Raw answer of `GET /cgi-bin/material/get_materialcount`. */
export interface WechatMaterialCountResponse extends WechatBaseResponse {
  voice_count: number;
  video_count: number;
  image_count: number;
  news_count: number;
}

/** Result of `client.media.materialCount`. */
export interface WechatMaterialCount {
  voiceCount: number;
  videoCount: number;
  imageCount: number;
  newsCount: number;
  raw: WechatMaterialCountResponse;
}

/** One entry of `batchget_material`. */
export interface WechatMaterialListItem {
  media_id: string;
  name?: string;
  update_time: number;
  url?: string;
  content?: { news_item: WechatMaterialNewsItem[] };
}

/** Raw answer of `POST /cgi-bin/material/batchget_material`. */
export interface WechatMaterialListResponse extends WechatBaseResponse {
  total_count: number;
  item_count: number;
  item: WechatMaterialListItem[];
}

/** Result of `client.media.listMaterial`. */
export interface WechatMaterialList {
  totalCount: number;
  itemCount: number;
  items: WechatMaterialListItem[];
  raw: WechatMaterialListResponse;
}

/** Raw answer of `POST /cgi-bin/media/uploadimg`. */
export interface WechatUploadImageResponse extends WechatBaseResponse {
  url: string;
}

/** Result of `client.media.uploadArticleImage`. */
export interface WechatUploadImageResult {
  /** The image's URL, for `<img src>` inside article content. */
  url: string;
  raw: WechatUploadImageResponse;
}
