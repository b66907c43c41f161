import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { WechatValidationError } from '../../errors/wechat-api.error';
import type { WechatUploadFile } from './media.interfaces';

/** What WeChat accepts for one kind of upload (protocol.md §9.3). */
export interface WechatUploadRule {
  /** Largest size in bytes. */
  maxBytes: number;
  /** Accepted file name extensions, lower case, without the dot; the first is the default. */
  extensions: readonly string[];
}

const MB = 1024 * 1024;

/** Temporary media (`/cgi-bin/media/upload`). */
export const TEMPORARY_MEDIA_RULES = {
  image: { maxBytes: 2 * MB, extensions: ['jpg', 'jpeg', 'png', 'gif', 'bmp'] },
  voice: { maxBytes: 2 * MB, extensions: ['mp3', 'amr'] },
  video: { maxBytes: 10 * MB, extensions: ['mp4'] },
  thumb: { maxBytes: 64 * 1024, extensions: ['jpg', 'jpeg'] },
} as const satisfies Record<string, WechatUploadRule>;

/** Permanent material (`/cgi-bin/material/add_material`). */
export const PERMANENT_MATERIAL_RULES = {
  image: { maxBytes: 10 * MB, extensions: ['jpg', 'jpeg', 'png', 'gif', 'bmp'] },
  voice: { maxBytes: 2 * MB, extensions: ['mp3', 'amr', 'wma', 'wav'] },
  video: { maxBytes: 10 * MB, extensions: ['mp4'] },
  thumb: { maxBytes: 64 * 1024, extensions: ['jpg', 'jpeg'] },
} as const satisfies Record<string, WechatUploadRule>;

/** Images inside article content (`/cgi-bin/media/uploadimg`): jpg/png under 1 MB. */
export const ARTICLE_IMAGE_RULE: WechatUploadRule = {
  maxBytes: 1 * MB,
  extensions: ['jpg', 'jpeg', 'png'],
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  bmp: 'image/bmp',
  mp3: 'audio/mpeg',
  amr: 'audio/amr',
  wma: 'audio/x-ms-wma',
  wav: 'audio/wav',
  mp4: 'video/mp4',
};

/** A file checked against its rule, ready to be a multipart part. */
export interface PreparedUpload {
  blob: Blob;
  fileName: string;
  size: number;
}

/**
 * The ASCII file name WeChat sees: non-ASCII, control, quote and path characters become `_`, a
 * name without an extension gets the rule's default one, and an extension outside the rule is a
 * WechatValidationError (WeChat would answer 40113 / 40005).
 */
export function uploadFileName(name: string | undefined, rule: WechatUploadRule): string {
  const cleaned = (name ?? '').replace(/[^\x21-\x7e]|["\\/;]/g, '_');
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 ? cleaned.slice(dot + 1).toLowerCase() : '';
  if (extension === '') return `${cleaned === '' ? 'media' : cleaned}.${rule.extensions[0]}`;
  if (!rule.extensions.includes(extension)) {
    throw new WechatValidationError(
      'fileName',
      `".${extension}" is not accepted here; use one of ${rule.extensions.map((e) => `.${e}`).join(', ')}.`,
    );
  }
  return cleaned;
}

function tooLarge(size: number, rule: WechatUploadRule, atLeast = false): WechatValidationError {
  return new WechatValidationError(
    'media',
    `the file is ${atLeast ? 'more than ' : ''}${size} bytes; at most ${rule.maxBytes} bytes are allowed here.`,
  );
}

/**
 * Checks an upload against `rule` (extension, size) before anything is sent, and makes the Blob of
 * its multipart part: a path becomes a file-backed Blob (`fs.openAsBlob`, streamed on send), a
 * stream is read up to the limit.
 */
export async function prepareUpload(
  file: WechatUploadFile,
  rule: WechatUploadRule,
): Promise<PreparedUpload> {
  if (typeof file !== 'object' || file === null) {
    throw new WechatValidationError('media', 'must be { path }, { buffer } or { stream }.');
  }
  const fromPath = 'path' in file && typeof file.path === 'string' ? file.path : undefined;
  const fileName = uploadFileName(
    file.fileName ?? (fromPath === undefined ? undefined : basename(fromPath)),
    rule,
  );
  const extension = fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase();
  const type = file.contentType ?? CONTENT_TYPES[extension] ?? 'application/octet-stream';
  if (fromPath !== undefined) {
    let size: number;
    try {
      const info = await stat(fromPath);
      if (!info.isFile()) throw new Error('not a file');
      size = info.size;
    } catch {
      throw new WechatValidationError('media', 'the path is not a readable file.');
    }
    if (size === 0) throw new WechatValidationError('media', 'the file is empty.');
    if (size > rule.maxBytes) throw tooLarge(size, rule);
    return { blob: await openAsBlob(fromPath, { type }), fileName, size };
  }
  if ('buffer' in file && file.buffer instanceof Uint8Array) {
    const size = file.buffer.byteLength;
    if (size === 0) throw new WechatValidationError('media', 'the file is empty.');
    if (size > rule.maxBytes) throw tooLarge(size, rule);
    return { blob: new Blob([file.buffer], { type }), fileName, size };
  }
  if ('stream' in file && file.stream && Symbol.asyncIterator in Object(file.stream)) {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const part of file.stream) {
      size += part.byteLength;
      if (size > rule.maxBytes) {
        const stream = file.stream as { destroy?: () => void };
        if (typeof stream.destroy === 'function') stream.destroy();
        throw tooLarge(rule.maxBytes, rule, true);
      }
      chunks.push(part);
    }
    if (size === 0) throw new WechatValidationError('media', 'the stream is empty.');
    return { blob: new Blob(chunks, { type }), fileName, size };
  }
  throw new WechatValidationError('media', 'must be { path }, { buffer } or { stream }.');
}
