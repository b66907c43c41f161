import { Inject } from '@nestjs/common';
import { WECHAT_OPTIONS } from '../wechat.constants';

/** Injects the validated {@link ResolvedWechatOptions}. */
export const InjectWechatOptions = (): ParameterDecorator & PropertyDecorator =>
  Inject(WECHAT_OPTIONS);
