import { Module } from '@nestjs/common';
import { Cluster } from 'ioredis';
import { WechatModule } from 'nestjs-wechat-oa';

/** A Redis Cluster: the module's keys carry hash tags, so its scripts work and spread over masters. */
const cluster = new Cluster([{ host: '10.0.0.1', port: 6379 }], {
  redisOptions: { maxRetriesPerRequest: 1 }, // a command fails fast instead of queueing
  scaleReads: 'master', // the default: token and de-dup reads must see the latest write
});

@Module({
  imports: [
    WechatModule.forRoot({
      appId: 'wx0000000000000001',
      appSecret: 'secret-from-your-vault',
      token: 'callbackToken',
      redis: cluster,
    }),
  ],
})
export class ClusterAppModule {}
