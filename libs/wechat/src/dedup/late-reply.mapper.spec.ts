import { toCustomMessage } from './late-reply.mapper';

describe('toCustomMessage (late replies as customer-service messages)', () => {
  it.each([
    [
      { type: 'text', content: 'hi' },
      { msgtype: 'text', text: { content: 'hi' } },
    ],
    [
      { type: 'image', mediaId: 'M1' },
      { msgtype: 'image', image: { media_id: 'M1' } },
    ],
    [
      { type: 'voice', mediaId: 'V1' },
      { msgtype: 'voice', voice: { media_id: 'V1' } },
    ],
    [
      { type: 'video', mediaId: 'VID', title: 't', description: 'd' },
      {
        msgtype: 'video',
        video: { media_id: 'VID', thumb_media_id: 'VID', title: 't', description: 'd' },
      },
    ],
    [
      { type: 'music', thumbMediaId: 'TH', musicUrl: 'https://m/1.mp3', title: 'song' },
      {
        msgtype: 'music',
        music: {
          title: 'song',
          description: undefined,
          musicurl: 'https://m/1.mp3',
          hqmusicurl: 'https://m/1.mp3',
          thumb_media_id: 'TH',
        },
      },
    ],
    [
      {
        type: 'news',
        articles: [
          { title: 'A', description: 'a', url: 'https://u/a', picUrl: 'https://p/a' },
          { title: 'B' },
        ],
      },
      {
        msgtype: 'news',
        news: {
          articles: [{ title: 'A', description: 'a', url: 'https://u/a', picurl: 'https://p/a' }],
        },
      },
    ],
  ] as const)('%j', (reply, expected) => {
    expect(toCustomMessage('o_user_1', reply)).toEqual({ touser: 'o_user_1', ...expected });
  });

  it('has no form for a transfer to customer service or an empty news reply', () => {
    expect(toCustomMessage('o1', { type: 'transfer_customer_service' })).toBeUndefined();
    expect(toCustomMessage('o1', { type: 'news', articles: [] })).toBeUndefined();
  });
});
