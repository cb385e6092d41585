import { beforeAll } from '@jest/globals';
import {
  InProcessBus,
  InProcessTransport,
} from '../../src/lib/redis/in-process.transport';
import { type AppInstance, startInstance } from './app-instance';
import { connect, type ConnectOptions, type TestClient } from './clients';
import { type RawPublisher, redisClient } from './redis-client';
import {
  clusterClient,
  clusterPublisher,
  firstNodeClient,
  startTestCluster,
} from './redis-cluster';
import { startRedisServer } from './redis-server';
import type { useResources } from './resources';

type Resources = ReturnType<typeof useResources>;

/** One way for instances to share pub/sub, for suites that run over each. */
export interface TransportSetup {
  readonly name: string;
  /** Starts `size` instances of the reference app over this transport. */
  start(
    resources: Resources,
    size: number,
  ): Promise<{ instances: AppInstance[]; publisher: RawPublisher }>;
}

/** A real Redis (container or child process) and REDIS_URL. */
export const REDIS: TransportSetup = {
  name: 'redis',
  async start(resources, size) {
    const redis = resources.forSuite(await startRedisServer(), (r) => r.stop());
    const instances = await Promise.all(
      Array.from({ length: size }, () =>
        startInstance({ REDIS_URL: redis.url }),
      ),
    );
    const publisher = redisClient(redis.url);
    resources.forSuite(publisher, (c) => c.quit());
    return { instances, publisher };
  },
};

/**
 * A Redis Cluster of 3 masters and 3 replicas, and REDIS_CLUSTER_NODES: users'
 * channels over sharded pub/sub.
 */
export const REDIS_CLUSTER: TransportSetup = {
  name: 'redis-cluster',
  async start(resources, size) {
    const cluster = resources.forSuite(await startTestCluster(), (c) =>
      c.stop(),
    );
    const instances = await Promise.all(
      Array.from({ length: size }, () =>
        startInstance({ REDIS_CLUSTER_NODES: cluster.seeds.join(',') }),
      ),
    );
    const client = resources.forSuite(clusterClient(cluster), (c) => c.quit());
    const node = resources.forSuite(firstNodeClient(cluster), (c) => c.quit());
    return { instances, publisher: clusterPublisher(client, node) };
  },
};

/**
 * In-process transports joined by one bus: several instances in this
 * process, each through the `transport` option, as a transport of a user's
 * own would be.
 */
export const IN_PROCESS: TransportSetup = {
  name: 'in-process',
  async start(_resources, size) {
    const bus = new InProcessBus();
    const instances = await Promise.all(
      Array.from({ length: size }, () =>
        startInstance(
          { REDIS_URL: undefined },
          { transport: new InProcessTransport(bus) },
        ),
      ),
    );
    return {
      instances,
      publisher: {
        publish: (channel, message) => {
          bus.publish(channel, message);
          return Promise.resolve();
        },
      },
    };
  },
};

/** Every transport; a suite runs once over each. */
export const TRANSPORTS: readonly TransportSetup[] = [
  IN_PROCESS,
  REDIS,
  REDIS_CLUSTER,
];

/** Instances over one transport, started for a suite. */
export interface TransportCluster {
  instances: AppInstance[];
  publisher: RawPublisher;
  /** Connects a client to an instance, closed after the current test. */
  client(instance: AppInstance, options?: ConnectOptions): Promise<TestClient>;
}

/**
 * Starts `size` instances over `setup` before the suite's first test, and
 * closes them after its last one. The returned object is filled in by then.
 */
export function useTransportCluster(
  resources: Resources,
  setup: TransportSetup,
  size = 2,
): TransportCluster {
  const cluster = {
    client: async (instance: AppInstance, options: ConnectOptions = {}) =>
      resources.forTest(await connect(instance.url, options), (c) => c.close()),
  } as TransportCluster;
  beforeAll(async () => {
    const started = await setup.start(resources, size);
    for (const instance of started.instances) {
      resources.forSuite(instance, (i) => i.close());
    }
    Object.assign(cluster, started);
  });
  return cluster;
}
