import { resolve } from 'node:path';
import { isHealthy } from './cluster';
import { freePort } from './free-port';
import { type LineSink, ManagedProcess } from './managed-process';

/** One Node.js server to start on a free port of 127.0.0.1. */
export interface AppProcessSpec {
  /** A short name for logs and errors, like `app-1`. */
  name: string;
  /** Its entry point. @default `dist/main.js` in the working directory */
  entry?: string;
  /** Node.js flags before the entry point (`--expose-gc`, `-r file`, ...). */
  nodeArgs?: readonly string[];
  /** Its environment, before PORT and HOST. */
  env: NodeJS.ProcessEnv;
  /** Receives each line it writes. */
  onLine?: LineSink;
}

/** A server started by {@link startAppProcesses}. */
export interface AppProcess {
  readonly name: string;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly process: ManagedProcess;
}

/**
 * Starts each server on a free port and resolves once every one answers
 * /health. If one fails, stops them all and rejects with its output.
 */
export async function startAppProcesses(
  specs: readonly AppProcessSpec[],
  startTimeoutMs = 30_000,
): Promise<AppProcess[]> {
  const apps = await Promise.all(
    specs.map(async (spec) => {
      const port = await freePort();
      const process = new ManagedProcess({
        name: spec.name,
        command: globalThis.process.execPath,
        args: [...(spec.nodeArgs ?? []), spec.entry ?? resolve('dist/main.js')],
        env: { ...spec.env, PORT: String(port), HOST: '127.0.0.1' },
        onLine: spec.onLine,
      });
      return { name: spec.name, url: `http://127.0.0.1:${port}`, process };
    }),
  );
  try {
    await Promise.all(
      apps.map(({ process, url }) =>
        process.waitUntilReady(
          () => isHealthy(url),
          `answering ${url}/health`,
          startTimeoutMs,
        ),
      ),
    );
  } catch (error) {
    await Promise.all(apps.map(({ process }) => process.stop()));
    throw error;
  }
  return apps;
}
