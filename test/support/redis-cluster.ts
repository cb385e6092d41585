import { Cluster, Redis } from 'ioredis';
import {
  type RedisCluster,
  startRedisCluster,
} from '../../src/cluster/redis-cluster';
import { CHANNELS } from './channels';
import type { RawPublisher } from './redis-client';
import { TEST_REDIS_ARGS } from './redis-server';

export type { RedisCluster };

/**
 * A Redis Cluster for a test: 3 masters and 3 replicas of Debian's
 * redis-server. Its `cluster-node-timeout` is 5 s, so that a busy machine
 * does not fail a master over by mistake; the failover test asks for 1 s.
 */
export function startTestCluster(nodeTimeoutMs = 5_000): Promise<RedisCluster> {
  return startRedisCluster({
    masters: 3,
    replicasPerMaster: 1,
    nodeTimeoutMs,
    extraArgs: TEST_REDIS_ARGS,
    // TEST_LOGS=1 shows what the nodes log, as it does the apps'.
    onLine:
      process.env.TEST_LOGS === '1'
        ? (name, line) => console.log(`[${name}] ${line}`)
        : undefined,
  });
}

/** An ioredis Cluster client of the test cluster, as another service would use. */
export function clusterClient(cluster: RedisCluster): Cluster {
  const client = new Cluster(
    cluster.seeds.map((seed) => {
      const [host, port] = seed.split(':');
      return { host, port: Number(port) };
    }),
    { redisOptions: { maxRetriesPerRequest: 1 } },
  );
  client.on('error', () => undefined);
  return client;
}

/**
 * Publishes as the README tells a service to on a cluster: `SPUBLISH` on a
 * user's own channel (the cluster client finds the shard), `PUBLISH` on the
 * contract's three through one node, so that those keep their order.
 */
export function clusterPublisher(
  client: Cluster,
  oneNode: Redis,
): RawPublisher {
  return {
    publish: (channel, message) =>
      CHANNELS.isSharded(channel)
        ? client.spublish(channel, message)
        : oneNode.publish(channel, message),
  };
}

/** A plain connection to the cluster's first node. */
export function firstNodeClient(cluster: RedisCluster): Redis {
  const client = new Redis(cluster.nodes[0].port, '127.0.0.1', {
    maxRetriesPerRequest: 1,
  });
  client.on('error', () => undefined);
  return client;
}
