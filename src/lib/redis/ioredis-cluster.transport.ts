import { Cluster, type ClusterNode, type ClusterOptions } from 'ioredis';
import { IoRedisPubSub } from './ioredis-pubsub';
import { keySlot } from './key-slot';

/**
 * Pub/sub over a Redis Cluster. Channels for which `isSharded` holds (the
 * users', rooms', namespaces' and instances' own channels) use sharded pub/sub, `SPUBLISH` and `SSUBSCRIBE`:
 * their traffic stays on the one shard that owns the channel's slot, so it
 * scales with the shards. The other channels (the contract's three, the heartbeats) use
 * classic pub/sub, which the cluster carries to every node, so that a
 * service can `PUBLISH` to them on any node.
 *
 * The subscriber holds one connection per master for the shard channels
 * (ioredis' sharded subscribers), and follows the slots when they move: a
 * failover or a resharding resubscribes by itself.
 */
export class IoRedisClusterTransport extends IoRedisPubSub<Cluster> {
  readonly kind = 'redis-cluster';

  constructor(
    nodes: readonly ClusterNode[],
    options: ClusterOptions,
    private readonly isSharded: (channel: string) => boolean,
    publishTimeoutMs = 2_000,
  ) {
    const redisOptions = options.redisOptions ?? {};
    super(
      IoRedisClusterTransport.name,
      new Cluster([...nodes], {
        enableAutoPipelining: true,
        ...options,
        redisOptions: { maxRetriesPerRequest: 1, ...redisOptions },
      }),
      new Cluster([...nodes], {
        ...options,
        shardedSubscribers: true,
        redisOptions: { maxRetriesPerRequest: null, ...redisOptions },
      }),
      publishTimeoutMs,
    );
    this.subscriber.on(
      'smessageBuffer',
      (channel: Buffer | string, message: Buffer) =>
        this.handler(channel.toString(), message),
    );
  }

  override publish(channel: string, payload: string | Buffer): Promise<number> {
    if (!this.isSharded(channel)) {
      return super.publish(channel, payload);
    }
    return this.command(
      () => this.publisher.spublish(channel, payload) as Promise<number>,
    );
  }

  override async subscribe(channels: readonly string[]): Promise<void> {
    const { classic, bySlot } = this.split(channels);
    await Promise.all([
      super.subscribe(classic),
      // SSUBSCRIBE takes the channels of one slot at a time; the commands
      // to one shard go out together.
      ...[...bySlot.values()].map((group) =>
        this.subscriber.ssubscribe(...group),
      ),
    ]);
  }

  override async unsubscribe(channels: readonly string[]): Promise<void> {
    const { classic, bySlot } = this.split(channels);
    await Promise.all([
      super.unsubscribe(classic),
      ...[...bySlot.values()].map((group) =>
        this.subscriber.sunsubscribe(...group),
      ),
    ]);
  }

  private split(channels: readonly string[]) {
    const classic: string[] = [];
    const bySlot = new Map<number, string[]>();
    for (const channel of channels) {
      if (!this.isSharded(channel)) {
        classic.push(channel);
        continue;
      }
      const slot = keySlot(channel);
      const group = bySlot.get(slot);
      if (group) {
        group.push(channel);
      } else {
        bySlot.set(slot, [channel]);
      }
    }
    return { classic, bySlot };
  }
}
