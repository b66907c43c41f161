import { WechatValidationError } from '../../errors/wechat-api.error';
import { TEMPORARY_MEDIA_RULES, uploadFileName } from './media-upload.file';

describe('uploadFileName', () => {
  it.each([
    [undefined, 'image', 'media.jpg'],
    ['', 'voice', 'media.mp3'],
    ['cover', 'thumb', 'cover.jpg'],
    ['clip.MP4', 'video', 'clip.MP4'],
    ['头像.png', 'image', '__.png'],
    ['a b"c;d/e\\f.gif', 'image', 'a_b_c_d_e_f.gif'],
    ['.hidden', 'image', '.hidden.jpg'],
  ] as const)('%j as %s → %j', (name, type, expected) => {
    expect(uploadFileName(name, TEMPORARY_MEDIA_RULES[type])).toBe(expected);
  });

  it.each([
    ['a.png', 'thumb'],
    ['a.wav', 'voice'],
    ['a.avi', 'video'],
    ['a.exe', 'image'],
  ] as const)('refuses %j as %s, naming fileName', (name, type) => {
    expect(() => uploadFileName(name, TEMPORARY_MEDIA_RULES[type])).toThrow(WechatValidationError);
    try {
      uploadFileName(name, TEMPORARY_MEDIA_RULES[type]);
    } catch (error: unknown) {
      expect(error).toMatchObject({ field: 'fileName', code: 'WECHAT_VALIDATION' });
    }
  });
});
