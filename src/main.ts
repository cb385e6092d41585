import { Logger } from '@nestjs/common';
import { createApp } from './app/bootstrap';
import { loadAppConfig } from './app/config/app-config';
import { readConfigOrExit } from './app/config/config.error';
import { installGracefulShutdown } from './app/shutdown/graceful-shutdown';

async function bootstrap(): Promise<void> {
  const config = readConfigOrExit(() => loadAppConfig(process.env));
  if (!config) {
    return;
  }
  const app = await createApp(config);
  installGracefulShutdown(app, config);
  await app.listen(config.port, config.host);
  new Logger('Bootstrap').log(`Listening on ${await app.getUrl()}`);
}

bootstrap().catch((error: unknown) => {
  new Logger('Bootstrap').error(
    `Could not start: ${(error as Error)?.stack ?? String(error)}`,
  );
  process.exit(1);
});
