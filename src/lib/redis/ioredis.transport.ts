import { Redis, type RedisOptions } from 'ioredis';
import { IoRedisPubSub } from './ioredis-pubsub';

// The publishes of one turn of the event loop go to Redis in one write:
// under load that saves a system call per message, and alone a message waits
// for nothing.
const PUBLISHER_DEFAULTS: RedisOptions = {
  maxRetriesPerRequest: 1,
  enableAutoPipelining: true,
};
// A subscription waits for Redis however long it takes; ioredis resubscribes
// by itself after every reconnect.
const SUBSCRIBER_DEFAULTS: RedisOptions = { maxRetriesPerRequest: null };

/**
 * Pub/sub over one Redis: one publisher and one subscriber connection, and
 * classic PUBLISH and SUBSCRIBE for every channel.
 */
export class IoRedisTransport extends IoRedisPubSub<Redis> {
  readonly kind = 'redis';

  constructor(
    url: string | undefined,
    options: RedisOptions = {},
    publishTimeoutMs = 2_000,
  ) {
    super(
      IoRedisTransport.name,
      connect(url, { ...PUBLISHER_DEFAULTS, ...options }),
      connect(url, { ...SUBSCRIBER_DEFAULTS, ...options }),
      publishTimeoutMs,
    );
  }
}

function connect(url: string | undefined, options: RedisOptions): Redis {
  return url === undefined ? new Redis(options) : new Redis(url, options);
}
