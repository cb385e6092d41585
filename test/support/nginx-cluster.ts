import { beforeAll, expect } from '@jest/globals';
import type { Redis } from 'ioredis';
import {
  type Cluster,
  type ClusterInstance,
  type ClusterOptions,
  startCluster,
} from '../../src/cluster/cluster';
import { TEST_JWT_SECRET } from './app-instance';
import { addressesOnDistinctInstances } from './client-address';
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

/** A user's tabs on an instance about to go, and one on an instance that stays. */
export interface DoomedAndSurvivor {
  /** The instance the test is going to stop. */
  doomed: ClusterInstance;
  /** INSTANCE_ID of the instance that stays. */
  survivor: string;
  /** A WebSocket tab and a polling tab on the doomed instance. */
  onDoomed: TestClient[];
  onSurvivor: TestClient;
}

/**
 * Connects, through nginx, two tabs of `userId` that land on one instance
 * (one WebSocket, one polling) and one that lands on another, all
 * reconnecting as browsers do, and checks where each landed.
 */
export async function tabsOnDoomedAndSurvivor(
  fixture: NginxCluster,
  userId: string,
): Promise<DoomedAndSurvivor> {
  const [[doomed, doomedAddress], [survivor, survivorAddress]] = [
    ...(await addressesOnDistinctInstances(fixture.cluster.url, 3)),
  ];
  const onDoomed = [
    await fixture.client({
      userId,
      localAddress: doomedAddress,
      transports: ['websocket'],
      reconnection: true,
    }),
    await fixture.client({
      userId,
      localAddress: doomedAddress,
      transports: ['polling'],
      reconnection: true,
    }),
  ];
  const onSurvivor = await fixture.client({
    userId,
    localAddress: survivorAddress,
    reconnection: true,
  });
  for (const client of onDoomed) {
    expect((await client.whoami()).instance).toBe(doomed);
  }
  expect((await onSurvivor.whoami()).instance).toBe(survivor);
  const instance = fixture.cluster.instances.find((i) => i.id === doomed);
  if (!instance) {
    throw new Error(`no instance ${doomed} in the cluster`);
  }
  return { doomed: instance, survivor, onDoomed, onSurvivor };
}
