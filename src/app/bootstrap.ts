import {
  type INestApplication,
  Logger,
  type NestApplicationOptions,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { initAdapters, type RedisPropagatorModuleOptions } from '../lib';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';

/**
 * Creates the reference app (not yet listening) for a configuration.
 * `library` options are laid over those the configuration gives.
 */
export async function createApp(
  config: AppConfig,
  options: NestApplicationOptions = {},
  library: RedisPropagatorModuleOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, library),
    { ...options, bodyParser: false },
  );
  // A push body may be as large as a message may be: larger is a 413.
  app.useBodyParser('json', { limit: config.maxPayloadBytes });
  initAdapters(app);
  if (config.isDevelopmentSecret) {
    new Logger('Config').warn(
      'No JWT_SECRET or JWT_PUBLIC_KEY: using the development secret. ' +
        'Never run like this in production.',
    );
  }
  return app;
}
