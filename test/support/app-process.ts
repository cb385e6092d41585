import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isHealthy } from '../../src/cluster/cluster';
import { freePort } from '../../src/cluster/free-port';
import { ManagedProcess } from '../../src/cluster/managed-process';
import { TEST_JWT_SECRET } from './app-instance';

/** The built reference app (`dist/main.js`) running as a child process. */
export interface AppProcess {
  readonly process: ManagedProcess;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Its resident set size now, in bytes (from /proc). */
  rssBytes(): number;
  stop(): Promise<unknown>;
}

/**
 * Starts `node dist/main.js` on a free port with the test secret and `env`,
 * and resolves once it answers /health. Build first (`npm run build`).
 */
export async function startAppProcess(
  name: string,
  env: Record<string, string>,
): Promise<AppProcess> {
  const port = await freePort();
  const child = new ManagedProcess({
    name,
    command: process.execPath,
    args: [resolve('dist/main.js')],
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      JWT_SECRET: TEST_JWT_SECRET,
      ...env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await child.waitUntilReady(
      () => isHealthy(url),
      'answering /health',
      15_000,
    );
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    process: child,
    url,
    rssBytes: () => rssOf(child.pid),
    stop: () => child.stop(),
  };
}

function rssOf(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kilobytes === undefined) {
    throw new Error(`no VmRSS in /proc/${pid}/status`);
  }
  return Number(kilobytes) * 1024;
}
