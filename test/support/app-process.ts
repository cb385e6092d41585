import { rssBytes } from '../../src/bench/proc-stats';
import { startAppProcesses } from '../../src/cluster/app-processes';
import type { ManagedProcess } from '../../src/cluster/managed-process';
import { TEST_JWT_SECRET } from './app-instance';

/** The built reference app (`dist/main.js`) running as a child process. */
export interface AppProcess {
  readonly process: ManagedProcess;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Its resident set size now, in bytes. */
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
  const [app] = await startAppProcesses(
    [
      {
        name,
        env: {
          PATH: process.env.PATH ?? '',
          JWT_SECRET: TEST_JWT_SECRET,
          ...env,
        },
      },
    ],
    15_000,
  );
  return {
    process: app.process,
    url: app.url,
    rssBytes: () => rssBytes(app.process.pid ?? 0),
    stop: () => app.process.stop(),
  };
}
