import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { isHealthy } from '../src/cluster/cluster';
import { ManagedProcess } from '../src/cluster/managed-process';
import { waitUntil, withDeadline } from './support/deadline';
import { freePort } from '../src/cluster/free-port';
import { useResources } from './support/resources';

const MAIN = resolve('dist/main.js');

/** Waits until the app answers /health with 200 (it may still be starting). */
function waitForHealthy(app: ManagedProcess, url: string): Promise<void> {
  return app.waitUntilReady(() => isHealthy(url), 'answering /health', 15_000);
}

/** The exit code, or the signal that ended the process. */
async function exitOf(app: ManagedProcess): Promise<number | string | null> {
  const { code, signal } = await withDeadline(
    app.exited,
    'the process to exit',
  );
  return code ?? signal;
}

describe('the built app (node dist/main.js)', () => {
  const resources = useResources();

  beforeAll(() => {
    if (!existsSync(MAIN)) {
      throw new Error(`${MAIN} is missing: run "npm run build" first`);
    }
  });

  /** Runs the built app with only the given environment. */
  function started(env: Record<string, string>): ManagedProcess {
    return resources.forTest(
      new ManagedProcess({
        name: 'app',
        command: process.execPath,
        args: [MAIN],
        env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
      }),
      (app) => app.stop(),
    );
  }

  it('starts with no Redis, serves /health and the page, and on SIGTERM drains, then exits 0', async () => {
    const port = await freePort();
    const app = started({ PORT: String(port), SHUTDOWN_DELAY_MS: '1000' });
    const url = `http://127.0.0.1:${port}`;
    await waitForHealthy(app, url);
    expect((await fetch(url)).status).toBe(200);
    expect(app.output()).toContain('using the in-process transport');

    const signalledAt = Date.now();
    app.kill('SIGTERM');

    // During the delay it still serves, but tells the load balancer to stop.
    await waitUntil(
      async () => (await fetch(`${url}/health`)).status === 503,
      '/health to answer 503 after SIGTERM',
    );
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({
      status: 'draining',
    });
    expect(await exitOf(app)).toBe(0);
    const took = Date.now() - signalledAt;
    console.log(`SIGTERM to exit 0 in ${took} ms (delay 1000 ms)`);
    expect(took).toBeGreaterThanOrEqual(1_000);
    expect(app.output()).toContain('Closed the in-process transport');
  });

  it('refuses to start in production without a secret, naming the variable', async () => {
    const app = started({ NODE_ENV: 'production', PORT: '0' });
    expect(await exitOf(app)).toBe(1);
    expect(app.output()).toContain(
      'Invalid configuration: JWT_SECRET is required when NODE_ENV=production',
    );
  });

  it('has no development-token endpoint in production', async () => {
    const port = await freePort();
    const app = started({
      NODE_ENV: 'production',
      PORT: String(port),
      JWT_SECRET: 'a-production-secret-of-32-bytes-or-more',
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHealthy(app, url);
    expect((await fetch(`${url}/dev/token?userId=42`)).status).toBe(404);
  });
});
