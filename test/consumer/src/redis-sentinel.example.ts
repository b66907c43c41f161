import { Module } from '@nestjs/common';
import Redis from 'ioredis';
import { WechatModule } from 'nestjs-wechat-oa';

/** A Sentinel-managed primary: ioredis asks the sentinels where the primary is after a failover. */
const redis = new Redis({
  sentinels: [
    { host: '10.0.0.1', port: 26379 },
    { host: '10.0.0.2', port: 26379 },
  ],
  name: 'mymaster',
  role: 'master',
  maxRetriesPerRequest: 1,
});

@Module({
  imports: [
    WechatModule.forRoot({
      appId: 'wx0000000000000001',
      appSecret: 'secret-from-your-vault',
      token: 'callbackToken',
      redis,
    }),
  ],
})
export class SentinelAppModule {}
