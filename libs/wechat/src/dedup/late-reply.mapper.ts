import type { WechatCustomMessage } from '../api/wechat-api.interfaces';
import type { WechatReply } from '../core/wechat-reply.interfaces';

/**
 * The customer-service message that delivers a passive reply produced too late for WeChat's 5 s
 * window, or `undefined` for a reply that has no such equivalent (transfer to customer service).
 * A news reply keeps its first article (customer-service news carries one).
 */
export function toCustomMessage(
  openId: string,
  reply: WechatReply,
): WechatCustomMessage | undefined {
  switch (reply.type) {
    case 'text':
      return { touser: openId, msgtype: 'text', text: { content: reply.content } };
    case 'image':
      return { touser: openId, msgtype: 'image', image: { media_id: reply.mediaId } };
    case 'voice':
      return { touser: openId, msgtype: 'voice', voice: { media_id: reply.mediaId } };
    case 'video':
      return {
        touser: openId,
        msgtype: 'video',
        video: {
          media_id: reply.mediaId,
          // A passive video reply has no thumbnail; the video's own media id stands in.
          thumb_media_id: reply.mediaId,
          title: reply.title,
          description: reply.description,
        },
      };
    case 'music':
      return {
        touser: openId,
        msgtype: 'music',
        music: {
          title: reply.title,
          description: reply.description,
          musicurl: reply.musicUrl ?? '',
          hqmusicurl: reply.hqMusicUrl ?? reply.musicUrl ?? '',
          thumb_media_id: reply.thumbMediaId,
        },
      };
    case 'news': {
      const [first] = reply.articles;
      if (!first) return undefined;
      return {
        touser: openId,
        msgtype: 'news',
        news: {
          articles: [
            {
              title: first.title,
              description: first.description,
              url: first.url,
              picurl: first.picUrl,
            },
          ],
        },
      };
    }
    default:
      return undefined;
  }
}
