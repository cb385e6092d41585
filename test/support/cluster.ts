import { beforeAll } from '@jest/globals';
import type { Redis } from 'ioredis';
import { type AppInstance, startInstances } from './app-instance';
import { connect, type ConnectOptions, type TestClient } from './clients';
import { redisClient } from './redis-client';
import { type RedisServer, startRedisServer } from './redis-server';
import type { useResources } from './resources';

/** A real Redis, app instances against it, and a raw publisher. */
export interface Cluster {
  redis: RedisServer;
  publisher: Redis;
  instances: AppInstance[];
  /** Connects a client to an instance, closed after the current test. */
  client(instance: AppInstance, options?: ConnectOptions): Promise<TestClient>;
}

/**
 * Starts a cluster for the suite (before its first test) and stops it after
 * the last one. The returned object is filled in by then.
 */
export function useCluster(
  resources: ReturnType<typeof useResources>,
  size = 2,
): Cluster {
  const cluster = {
    instances: [] as AppInstance[],
    client: async (instance: AppInstance, options: ConnectOptions = {}) =>
      resources.forTest(await connect(instance.url, options), (c) => c.close()),
  } as Cluster;
  beforeAll(async () => {
    cluster.redis = resources.forSuite(await startRedisServer(), (r) =>
      r.stop(),
    );
    cluster.instances = await startInstances(size, {
      REDIS_URL: cluster.redis.url,
    });
    for (const instance of cluster.instances) {
      resources.forSuite(instance, (i) => i.close());
    }
    cluster.publisher = resources.forSuite(
      redisClient(cluster.redis.url),
      (c) => c.quit(),
    );
  });
  return cluster;
}
