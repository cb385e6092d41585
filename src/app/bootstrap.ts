import {
  type INestApplication,
  Logger,
  type NestApplicationOptions,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
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
  const app = await NestFactory.create(
    AppModule.forRoot(config, library),
    options,
  );
  initAdapters(app, {
    maxHttpBufferSize: config.maxPayloadBytes,
    cors:
      config.corsOrigins.length > 0
        ? { origin: [...config.corsOrigins], credentials: true }
        : undefined,
  });
  if (config.isDevelopmentSecret) {
    new Logger('Config').warn(
      'No JWT_SECRET or JWT_PUBLIC_KEY: using the development secret. ' +
        'Never run like this in production.',
    );
  }
  return app;
}
