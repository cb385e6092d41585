import { Logger } from '@nestjs/common';
import { createApp } from './app/bootstrap';
import { type AppConfig, loadAppConfig } from './app/config/app-config';
import { ConfigError } from './app/config/config.error';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadAppConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  const app = await createApp(config);
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
  new Logger('Bootstrap').log(`Listening on ${await app.getUrl()}`);
}

bootstrap().catch((error: unknown) => {
  new Logger('Bootstrap').error(
    `Could not start: ${(error as Error)?.stack ?? String(error)}`,
  );
  process.exit(1);
});
