import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { waitUntil, withDeadline } from './support/deadline';
import { freePort } from './support/free-port';
import { useResources } from './support/resources';

const MAIN = resolve('dist/main.js');

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** Runs the built app as `node dist/main.js` with only the given environment. */
function run(env: Record<string, string>): Started {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** Waits until the app answers /health with 200 (it may still be starting). */
function waitForHealthy(url: string): Promise<void> {
  return waitUntil(
    async () =>
      (await fetch(`${url}/health`).catch(() => undefined))?.status === 200,
    'the app to answer /health',
    15_000,
  );
}

/** The exit code, or the signal that ended the process. */
async function exitOf(child: ChildProcess): Promise<number | string | null> {
  if (child.exitCode === null && child.signalCode === null) {
    await withDeadline(once(child, 'exit'), 'the process to exit');
  }
  return child.exitCode ?? child.signalCode;
}

describe('the built app (node dist/main.js)', () => {
  const resources = useResources();

  beforeAll(() => {
    if (!existsSync(MAIN)) {
      throw new Error(`${MAIN} is missing: run "npm run build" first`);
    }
  });

  function started(env: Record<string, string>): Started {
    return resources.forTest(run(env), ({ child }) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        return once(child, 'exit');
      }
    });
  }

  it('starts with no Redis, serves /health and the page, and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { child, output } = started({ PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    await waitForHealthy(url);
    expect((await fetch(url)).status).toBe(200);
    expect(output()).toContain('using the in-process transport');

    child.kill('SIGTERM');

    // Nest closes the app, then re-raises the signal so the exit reports it.
    expect(await exitOf(child)).toBe('SIGTERM');
    expect(output()).toContain('Closed the in-process transport');
  });

  it('refuses to start in production without a secret, naming the variable', async () => {
    const { child, output } = started({ NODE_ENV: 'production', PORT: '0' });
    expect(await exitOf(child)).toBe(1);
    expect(output()).toContain(
      'Invalid configuration: JWT_SECRET is required when NODE_ENV=production',
    );
  });

  it('has no development-token endpoint in production', async () => {
    const port = await freePort();
    started({
      NODE_ENV: 'production',
      PORT: String(port),
      JWT_SECRET: 'a-production-secret-of-32-bytes-or-more',
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHealthy(url);
    expect((await fetch(`${url}/dev/token?userId=42`)).status).toBe(404);
  });
});
