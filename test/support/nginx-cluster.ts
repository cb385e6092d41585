import { beforeAll } from '@jest/globals';
import type { Redis } from 'ioredis';
import {
  type Cluster,
  type ClusterOptions,
  startCluster,
} from '../../src/cluster/cluster';
import { TEST_JWT_SECRET } from './app-instance';
import { connect, type ConnectOptions, type TestClient } from './clients';
import { freePort } from '../../src/cluster/free-port';
import { redisClient } from './redis-client';
import { startRedisServer } from './redis-server';
import type { useResources } from './resources';

/** How long a cluster of child processes may take to start on a busy machine. */
export const CLUSTER_START_TIMEOUT_MS = 90_000;

/** nginx in front of app instances (child processes of `node dist/main.js`). */
export interface NginxCluster {
  cluster: Cluster;
  /** A raw Redis client, as another service would publish with. */
  publisher: Redis;
  /** Connects a client through nginx, closed after the current test. */
  client(options?: ConnectOptions): Promise<TestClient>;
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    ports.add(await freePort());
  }
  return [...ports];
}

/**
 * Starts, for the suite, a real Redis, `size` instances of the built app and
 * nginx with the shipped nginx.conf, exactly as `npm run cluster` does, on
 * free ports. TEST_LOGS=1 prints what the processes write.
 */
export function useNginxCluster(
  resources: ReturnType<typeof useResources>,
  size = 3,
  options: Pick<ClusterOptions, 'nginxConfig'> & {
    /** More environment for the instances. */
    env?: Record<string, string>;
  } = {},
): NginxCluster {
  const fixture = {
    client: async (options: ConnectOptions = {}) =>
      resources.forTest(await connect(fixture.cluster.url, options), (c) =>
        c.close(),
      ),
  } as NginxCluster;
  beforeAll(async () => {
    const redis = resources.forSuite(await startRedisServer(), (r) => r.stop());
    const [nginxPort, ...appPorts] = await distinctFreePorts(size + 1);
    fixture.cluster = resources.forSuite(
      await startCluster({
        appPorts,
        nginxPort,
        redisUrl: redis.url,
        env: {
          PATH: process.env.PATH,
          NO_COLOR: '1',
          JWT_SECRET: TEST_JWT_SECRET,
          // Stopping the cluster after a suite need not wait for a balancer.
          SHUTDOWN_DELAY_MS: '0',
          ...options.env,
        },
        onLine:
          process.env.TEST_LOGS === '1'
            ? (name, line) => process.stderr.write(`[${name}] ${line}\n`)
            : undefined,
        startTimeoutMs: CLUSTER_START_TIMEOUT_MS,
        nginxConfig: options.nginxConfig,
      }),
      (cluster) => cluster.stop(),
    );
    fixture.publisher = resources.forSuite(redisClient(redis.url), (c) =>
      c.quit(),
    );
  }, CLUSTER_START_TIMEOUT_MS + 30_000);
  return fixture;
}
