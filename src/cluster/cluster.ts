import { accessSync, constants } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { freePort } from './free-port';
import { type LineSink, ManagedProcess } from './managed-process';
import { renderLocalNginxConfig } from './nginx-config';
import { type RedisCluster, startRedisCluster } from './redis-cluster';
import { startRedisProcess } from './redis-process';

/** How to start a cluster on this machine. */
export interface ClusterOptions {
  /** Ports of the instances on 127.0.0.1; their count is the cluster's size. */
  appPorts: readonly number[];
  /** Port of nginx on 127.0.0.1: the entry point. */
  nginxPort: number;
  /** A Redis to use; unset starts a `redis-server` child on a free port. */
  redisUrl?: string;
  /**
   * Start a Redis Cluster of this many masters, a replica each, instead of
   * one Redis; the instances get REDIS_CLUSTER_NODES.
   */
  redisShards?: number;
  /** Environment of the instances, before PORT, HOST, REDIS_URL and INSTANCE_ID. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The app's entry point. @default `dist/main.js` in the working directory */
  appEntry?: string;
  /** The nginx configuration to render. @default `nginx.conf` in the working directory */
  nginxConfig?: string;
  /** The nginx binary. @default NGINX_BIN, else `nginx` on the PATH or in /usr/sbin */
  nginxBinary?: string;
  /** Receives every line the processes write. */
  onLine?: LineSink;
  /** How long each part may take to become healthy. @default 30000 */
  startTimeoutMs?: number;
}

/** One app instance of a cluster. */
export interface ClusterInstance {
  /** Its INSTANCE_ID: `app-1`, `app-2`, ... as in docker-compose.yml. */
  readonly id: string;
  readonly port: number;
  /** `http://127.0.0.1:<port>`, bypassing nginx. */
  readonly url: string;
  readonly process: ManagedProcess;
}

/** Redis, app instances and nginx, running on this machine. */
export interface Cluster {
  /** The entry point: `http://127.0.0.1:<nginxPort>`. */
  readonly url: string;
  /** The Redis, or the first node of the Redis Cluster. */
  readonly redisUrl: string;
  /** The `redis-server` child, unless a REDIS_URL was given or a cluster started. */
  readonly redis?: ManagedProcess;
  /** The Redis Cluster, with `redisShards`. */
  readonly redisCluster?: RedisCluster;
  readonly instances: readonly ClusterInstance[];
  readonly nginx: ManagedProcess;
  /** nginx's access log: each line names the instance that served it. */
  readonly accessLog: string;
  /** Stops nginx, then the instances, then Redis, and removes nginx's folder. */
  stop(): Promise<void>;
}

/**
 * Starts Redis (unless `redisUrl` is given), one app instance per port, and
 * nginx with the shipped nginx.conf rendered for those ports. Resolves once
 * every instance and nginx answer /health; on failure, stops whatever it had
 * started and rejects with the failing process's output.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const started: ManagedProcess[] = [];
  let runtimeDir: string | undefined;
  let redisCluster: RedisCluster | undefined;
  const stopAll = async () => {
    // nginx first, so no client reaches an instance that is going away.
    for (const process of [...started].reverse()) {
      await process.stop();
    }
    await redisCluster?.stop();
    if (runtimeDir) {
      await rm(runtimeDir, { recursive: true, force: true });
    }
  };

  try {
    let redis: ManagedProcess | undefined;
    let redisUrl = options.redisUrl;
    let redisEnv: NodeJS.ProcessEnv;
    if (options.redisShards !== undefined) {
      redisCluster = await startRedisCluster({
        masters: options.redisShards,
        onLine: options.onLine,
      });
      redisUrl = `redis://${redisCluster.seeds[0]}`;
      redisEnv = { REDIS_CLUSTER_NODES: redisCluster.seeds.join(',') };
    } else if (redisUrl === undefined) {
      const port = await freePort();
      redis = await startRedisProcess({
        port,
        onLine: options.onLine,
        readyTimeoutMs: timeoutMs,
      });
      started.push(redis);
      redisUrl = `redis://127.0.0.1:${port}`;
      redisEnv = { REDIS_URL: redisUrl };
    } else {
      redisEnv = { REDIS_URL: redisUrl };
    }

    const instances = options.appPorts.map((port, index) => {
      const id = `app-${index + 1}`;
      const process = new ManagedProcess({
        name: id,
        command: globalThis.process.execPath,
        args: [options.appEntry ?? resolve('dist/main.js')],
        env: {
          // Behind nginx, which appends each client's address to
          // X-Forwarded-For.
          TRUSTED_PROXIES: '1',
          ...(options.env ?? globalThis.process.env),
          PORT: String(port),
          HOST: '127.0.0.1',
          REDIS_URL: undefined,
          ...redisEnv,
          INSTANCE_ID: id,
        },
        onLine: options.onLine,
      });
      started.push(process);
      return { id, port, url: `http://127.0.0.1:${port}`, process };
    });
    await Promise.all(
      instances.map(({ process, url }) =>
        process.waitUntilReady(
          () => isHealthy(url),
          `answering ${url}/health`,
          timeoutMs,
        ),
      ),
    );

    runtimeDir = await mkdtemp(join(tmpdir(), 'redis-propagator-nginx-'));
    // nginx's workers run as an unprivileged user when the master is root.
    await chmod(runtimeDir, 0o755);
    const configPath = join(runtimeDir, 'nginx.conf');
    const template = await readFile(
      options.nginxConfig ?? resolve('nginx.conf'),
      'utf8',
    );
    await writeFile(
      configPath,
      renderLocalNginxConfig(template, {
        listenPort: options.nginxPort,
        appPorts: options.appPorts,
        runtimeDir,
      }),
    );
    const nginx = new ManagedProcess({
      name: 'nginx',
      command: options.nginxBinary ?? findNginx(),
      args: [
        '-e',
        'stderr',
        '-p',
        runtimeDir,
        '-c',
        configPath,
        '-g',
        'daemon off;',
      ],
      onLine: options.onLine,
    });
    started.push(nginx);
    const url = `http://127.0.0.1:${options.nginxPort}`;
    await nginx.waitUntilReady(
      () => isHealthy(url),
      `answering ${url}/health`,
      timeoutMs,
    );

    return {
      url,
      redisUrl,
      redis,
      redisCluster,
      instances,
      nginx,
      accessLog: join(runtimeDir, 'access.log'),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** NGINX_BIN, else `nginx` on the PATH, else Debian's /usr/sbin/nginx. */
export function findNginx(): string {
  const configured = process.env.NGINX_BIN?.trim();
  if (configured) {
    return configured;
  }
  const folders = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/sbin',
    '/usr/local/sbin',
    '/usr/local/nginx/sbin',
  ].filter(Boolean);
  for (const folder of folders) {
    const candidate = join(folder, 'nginx');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  throw new Error(
    'nginx was not found: install it (apt-get install nginx) or set NGINX_BIN',
  );
}

/** Whether `url`/health answers 200 within 2 s. */
export async function isHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, {
      signal: AbortSignal.timeout(2_000),
    });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}
