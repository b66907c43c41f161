import { Injectable } from '@nestjs/common';
import { WechatApiError, WechatClientService, type WechatMenu } from 'nestjs-wechat-oa';

const MENU: WechatMenu = {
  button: [
    { type: 'click', name: '今日推荐', key: 'TODAY' },
    { name: '更多', sub_button: [{ type: 'view', name: '官网', url: 'https://example.com' }] },
  ],
};

/** One call of each API domain, as a host service would make them. */
@Injectable()
export class WechatApiExamples {
  constructor(private readonly client: WechatClientService) {}

  async media(): Promise<Buffer | string> {
    // From a path (streamed from disk), a Buffer or a stream; size and type checked first.
    const { mediaId } = await this.client.media.upload('image', { path: './logo.png' });
    const file = await this.client.media.get(mediaId);
    return file.kind === 'file' ? file.data : file.videoUrl;
  }

  async menu(): Promise<void> {
    await this.client.menu.create(MENU); // or the `menu` module option: applied at start-up
  }

  async subscribe(openId: string, templateId: string): Promise<void> {
    try {
      await this.client.subscribe.send({
        touser: openId,
        template_id: templateId,
        data: { thing1: { value: '订单已发货' }, time2: { value: '2026-01-01 12:00' } },
      });
    } catch (error) {
      if (error instanceof WechatApiError && error.errcode === 43101) return; // refused: fine
      throw error; // 47003: error.field names the data key; error.hint says what to do
    }
  }

  async followers(): Promise<number> {
    let count = 0;
    for await (const openId of this.client.users.list()) if (openId) count++;
    return count;
  }

  async tags(openIds: string[]): Promise<number> {
    const { tag } = await this.client.tags.create('VIP');
    await this.client.tags.tagUsers(tag.id, openIds); // chunked by 50 for you
    return tag.id;
  }

  async customerService(openId: string, mediaId: string): Promise<void> {
    await this.client.customerService.typing(openId);
    await this.client.customerService.sendImage(openId, mediaId, { kfAccount: 'kf2001@gh_x' });
  }

  async publish(thumbMediaId: string): Promise<string> {
    const { mediaId } = await this.client.drafts.add([
      { title: '标题', content: '<p>正文</p>', thumb_media_id: thumbMediaId },
    ]);
    const { publishId } = await this.client.publish.submit(mediaId); // then PUBLISHJOBFINISH
    return publishId;
  }

  async anyEndpoint(): Promise<boolean> {
    // The long tail: the token added, 40001 recovered, -1 retried, errors typed, like every call.
    const info = await this.client.request<{ is_autoreply_open: number }>({
      method: 'GET',
      path: '/cgi-bin/get_current_autoreply_info',
    });
    return info.is_autoreply_open === 1;
  }
}
