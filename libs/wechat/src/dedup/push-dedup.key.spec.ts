import { parseWechatMessage } from '../core/wechat-message.parser';
import { clusterKeySlot } from '../redis/cluster-key-slot';
import { legacyPushDedupKey, pushDedupKey } from './push-dedup.key';

const head = (type: string) =>
  `<ToUserName>gh_1</ToUserName><FromUserName>o_user_1</FromUserName><CreateTime>1700000000</CreateTime><MsgType>${type}</MsgType>`;

describe('pushDedupKey (protocol.md §5.3)', () => {
  it('keys a message by its MsgId (64-bit, exact), the push being the hash tag', async () => {
    const message = await parseWechatMessage(
      `<xml>${head('text')}<Content>hi</Content><MsgId>9007199254740993</MsgId></xml>`,
    );
    expect(pushDedupKey('wx1', message)).toBe('push:{wx1:id:9007199254740993}');
  });

  it('keys a job-finish event by its MsgID', async () => {
    const message = await parseWechatMessage(
      `<xml>${head('event')}<Event>TEMPLATESENDJOBFINISH</Event><MsgID>200163836</MsgID><Status>success</Status></xml>`,
    );
    expect(pushDedupKey('wx1', message)).toBe('push:{wx1:id:200163836}');
  });

  it('keys other events by sender, time, type, event and key', async () => {
    const message = await parseWechatMessage(
      `<xml>${head('event')}<Event>SCAN</Event><EventKey>scene_1</EventKey><Ticket>T</Ticket></xml>`,
    );
    expect(pushDedupKey('wx1', message)).toBe(
      'push:{wx1:ev:o_user_1|1700000000|event|SCAN|scene_1}',
    );
  });

  it('separates accounts sharing a Redis', async () => {
    const message = await parseWechatMessage(
      `<xml>${head('event')}<Event>unsubscribe</Event></xml>`,
    );
    expect(pushDedupKey('wxA', message)).not.toBe(pushDedupKey('wxB', message));
  });

  it('spreads pushes over the hash slots of a Cluster', async () => {
    const slots = new Set<number>();
    for (let id = 1; id <= 100; id += 1) {
      const message = await parseWechatMessage(
        `<xml>${head('text')}<Content>hi</Content><MsgId>${id}</MsgId></xml>`,
      );
      slots.add(clusterKeySlot(`wechat:${pushDedupKey('wx1', message)}`));
    }
    expect(slots.size).toBeGreaterThan(95);
  });
});

describe('legacyPushDedupKey (the previous version’s key names)', () => {
  it('drops the hash tag’s braces', () => {
    expect(legacyPushDedupKey('push:{wx1:id:42}')).toBe('push:wx1:id:42');
    expect(legacyPushDedupKey('push:{wx1:ev:o|1|event|CLICK|{K}}')).toBe(
      'push:wx1:ev:o|1|event|CLICK|{K}',
    );
  });

  it('has none for other keys', () => {
    expect(legacyPushDedupKey('push:wx1:id:42')).toBeUndefined();
    expect(legacyPushDedupKey('other')).toBeUndefined();
  });
});
