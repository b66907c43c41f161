import type { INestApplication } from '@nestjs/common';
import { WechatPushSimulator } from 'nestjs-wechat-oa/testing';

/** In a host app's e2e test: deliver a signed, encrypted `subscribe` and read the reply back. */
export async function replyToSubscribe(app: INestApplication): Promise<unknown> {
  const sim = WechatPushSimulator.fromApp(app); // the app's own token and AES key
  const { status, reply } = await sim.deliver(
    `${await app.getUrl()}/wechat`,
    sim.event('subscribe'),
    'safe',
  );
  if (status !== 200) throw new Error(`the callback answered ${status}`);
  return reply?.fields.Content; // 'Welcome, o_sandbox_user! (safe mode)'
}
