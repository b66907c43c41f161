import type { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';

/** The file `npm start` reads: `.env` in the working directory. */
export const DEMO_ENV_FILE = '.env';

/**
 * Reads `envFilePath` (when it exists) into `process.env` through `@nestjs/config`; a variable
 * already set in the environment wins over the file, even when set to an empty value. Returns the
 * global `ConfigModule` to hand to `AppModule.register({ config })`.
 */
export function loadEnvFile(envFilePath: string = DEMO_ENV_FILE): Promise<DynamicModule> {
  return ConfigModule.forRoot({ isGlobal: true, envFilePath });
}

/** A global `ConfigModule` that reads no file: the app sees only the environment (tests). */
export function environmentOnly(): Promise<DynamicModule> {
  return ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true });
}
