import type { INestApplication } from '@nestjs/common';
import { createApp } from '../../src/app/bootstrap';
import type { RedisPropagatorModuleOptions } from '../../src/lib';
import { loadAppConfig } from '../../src/app/config/app-config';

/** The shared secret of the test instances. */
export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-bytes-long';

/** One running instance of the reference app. */
export interface AppInstance {
  readonly app: INestApplication;
  /** Its INSTANCE_ID: `instance-<n>` unless the env gave one. */
  readonly id: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  close(): Promise<void>;
}

let started = 0;

/**
 * Starts the reference app on a free port, configured as from the
 * environment: `env` is laid over the test defaults, and `library` over the
 * library options that come from it. Logs are off unless TEST_LOGS=1.
 */
export async function startInstance(
  env: Record<string, string | undefined> = {},
  library: RedisPropagatorModuleOptions = {},
): Promise<AppInstance> {
  started += 1;
  const config = loadAppConfig({
    JWT_SECRET: TEST_JWT_SECRET,
    INSTANCE_ID: `instance-${started}`,
    ...env,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const app = await createApp(
    config,
    { logger: process.env.TEST_LOGS === '1' ? undefined : false },
    library,
  );
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    id: config.instanceId,
    url: `http://127.0.0.1:${address.port}`,
    close: () => app.close(),
  };
}

/** Starts `count` instances against one Redis. */
export function startInstances(
  count: number,
  env: Record<string, string | undefined>,
): Promise<AppInstance[]> {
  return Promise.all(Array.from({ length: count }, () => startInstance(env)));
}
