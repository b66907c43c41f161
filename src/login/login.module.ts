import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { LoginController } from './login.controller';
import { LoginPageController } from './login-page.controller';
import { LoginEventsHandler } from './login-events.handler';
import { LoginSceneStore } from './login-scene.store';
import { LoginService } from './login.service';

/** "Scan the code to log in", built on the WeChat module. */
@Module({
  imports: [AuthModule],
  controllers: [LoginController, LoginPageController],
  providers: [LoginService, LoginSceneStore, LoginEventsHandler],
})
export class LoginModule {}
