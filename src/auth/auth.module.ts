import { Module } from '@nestjs/common';
import { DemoKvStore } from '../redis/demo-kv.store';
import { AuthController } from './auth.controller';
import { DemoSessionStore } from './demo-session.store';
import { JssdkController } from './jssdk.controller';

/** Web authorization, sessions and the JS-SDK config for the demo's pages. */
@Module({
  controllers: [AuthController, JssdkController],
  providers: [DemoKvStore, DemoSessionStore],
  exports: [DemoKvStore, DemoSessionStore],
})
export class AuthModule {}
