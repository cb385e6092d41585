import { Cluster, Redis } from 'ioredis';
import { propagatorChannels } from '../contract/propagator-channels';
import { PropagatorPublisher } from '../redis-propagator/propagator-publisher';
import { RedisPublishTransport } from './redis-publish.transport';

/** Options of {@link createPropagatorPublisher}. */
export interface PushPublisherOptions {
  /**
   * Where to publish: a `redis://` or `rediss://` URL, for a connection of
   * the publisher's own that {@link PushPublisher.close} closes; or an
   * ioredis client of yours, a `Redis` or a `Cluster` (for an app on
   * `redisCluster`), which stays yours to close.
   */
  redis: string | Redis | Cluster;
  /** The `channelPrefix` of the app you push to. @default '' */
  channelPrefix?: string;
  /** Largest message published, in bytes, as the app's `maxMessageBytes`. @default 1_065_536 */
  maxMessageBytes?: number;
  /**
   * How long a message id (`options.id` of a call) is remembered, in
   * seconds, as the app's `idempotencyWindowSeconds`. @default 300
   */
  idempotencyWindowSeconds?: number;
  /**
   * Longest a call waits for Redis (to connect and to answer) before it
   * rejects with a `PropagatorPublishError`. @default 2_000
   */
  timeoutMs?: number;
}

/** Where a message goes within the app. */
export interface PushOptions {
  /** The namespace whose sockets receive it. @default '/' */
  namespace?: string;
  /**
   * An idempotency key: a message whose id was published within the
   * idempotency window is not delivered again, and the call resolves 0.
   */
  id?: string;
}

/** Options of {@link PushPublisher.sendToUser}. */
export interface SendToUserOptions extends PushOptions {
  /** A socket of the user that does not receive it. */
  socketId?: string;
}

/**
 * Pushes to the sockets of an app that uses this library, from any Node.js
 * service, without Nest. Every call validates the message first, and rejects
 * with an `InvalidMessageError` (a `TypeError`) for one the app would drop,
 * or with a `PropagatorPublishError` when Redis does not take it in time.
 */
export interface PushPublisher {
  /**
   * Sends an event to every socket of a user, on every instance. Resolves
   * with the number of instances that hold the user: 0 means the user is
   * connected nowhere.
   */
  sendToUser(
    userId: string | number,
    event: string,
    data?: unknown,
    options?: SendToUserOptions,
  ): Promise<number>;
  /** Sends an event to every socket, anonymous ones included. Resolves with the number of instances reached. */
  emitToAll(
    event: string,
    data?: unknown,
    options?: PushOptions,
  ): Promise<number>;
  /** Sends an event to every authenticated socket. Resolves with the number of instances reached. */
  emitToAuthenticated(
    event: string,
    data?: unknown,
    options?: PushOptions,
  ): Promise<number>;
  /**
   * Sends an event to every socket in a room, on every instance. Resolves
   * with the number of instances that hold the room: 0 means it is empty.
   */
  toRoom(
    room: string,
    event: string,
    data?: unknown,
    options?: PushOptions,
  ): Promise<number>;
  /** Closes the publisher's own connection; a client you passed stays open. */
  close(): Promise<void>;
}

const DEFAULTS = {
  channelPrefix: '',
  maxMessageBytes: 1_065_536,
  idempotencyWindowSeconds: 300,
  timeoutMs: 2_000,
} as const;

/**
 * Creates a {@link PushPublisher}. It loads neither Nest nor Socket.IO:
 * import it from `nestjs-redis-propagator/publisher`.
 *
 * @example
 * ```ts
 * const publisher = createPropagatorPublisher({ redis: process.env.REDIS_URL! });
 * const instances = await publisher.sendToUser('42', 'notice', { text: 'hi' });
 * ```
 */
export function createPropagatorPublisher(
  options: PushPublisherOptions,
): PushPublisher {
  const settings = checkOptions(options);
  const isOwnClient = typeof options.redis === 'string';
  const client =
    typeof options.redis === 'string'
      ? ownClient(options.redis)
      : options.redis;
  const channels = propagatorChannels(settings.channelPrefix);
  const publisher = new PropagatorPublisher(
    new RedisPublishTransport(client, settings.timeoutMs, channels.isSharded),
    channels,
    settings,
  );
  return {
    sendToUser: (userId, event, data, extra = {}) =>
      publisher.sendToUser({ ...extra, userId, event, data }),
    emitToAll: (event, data, extra = {}) =>
      publisher.emitToAll({ ...extra, event, data }),
    emitToAuthenticated: (event, data, extra = {}) =>
      publisher.emitToAuthenticated({ ...extra, event, data }),
    toRoom: (room, event, data, extra = {}) =>
      publisher.emitToRoom(room, { ...extra, event, data }),
    close: async () => {
      if (!isOwnClient || client.status === 'end') {
        return;
      }
      if (client.status === 'ready') {
        await client.quit().catch(() => client.disconnect());
      } else {
        client.disconnect();
      }
    },
  };
}

function ownClient(url: string): Redis {
  const client = new Redis(url, {
    // Nothing waits in a queue while Redis is away: a publish either goes
    // now or rejects, and is never sent after its caller gave up.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // ioredis keeps a timer of this length after disconnect() when the
    // socket had already closed (Redis unreachable), which would hold a
    // command-line tool open that long after it has failed.
    disconnectTimeout: 100,
  });
  // Failures reach the caller as rejections; the connection retries itself.
  client.on('error', () => undefined);
  return client;
}

function checkOptions(
  options: PushPublisherOptions,
): Required<Omit<PushPublisherOptions, 'redis'>> {
  const problem = (text: string) =>
    new TypeError(`createPropagatorPublisher: ${text}`);
  const { redis } = options;
  if (typeof redis === 'string' && !/^rediss?:\/\//.test(redis)) {
    throw problem(
      '"redis" must be a redis:// or rediss:// URL, or an ioredis client',
    );
  }
  if (
    typeof redis !== 'string' &&
    !(redis instanceof Redis) &&
    !(redis instanceof Cluster)
  ) {
    throw problem(
      '"redis" must be a redis:// or rediss:// URL, or an ioredis client',
    );
  }
  const settings = {
    channelPrefix: options.channelPrefix ?? DEFAULTS.channelPrefix,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULTS.maxMessageBytes,
    idempotencyWindowSeconds:
      options.idempotencyWindowSeconds ?? DEFAULTS.idempotencyWindowSeconds,
    timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
  };
  if (typeof settings.channelPrefix !== 'string') {
    throw problem('"channelPrefix" must be a string');
  }
  if (
    !Number.isSafeInteger(settings.maxMessageBytes) ||
    settings.maxMessageBytes < 1
  ) {
    throw problem('"maxMessageBytes" must be a positive integer');
  }
  if (
    !Number.isSafeInteger(settings.idempotencyWindowSeconds) ||
    settings.idempotencyWindowSeconds < 1
  ) {
    throw problem('"idempotencyWindowSeconds" must be a positive integer');
  }
  if (!Number.isSafeInteger(settings.timeoutMs) || settings.timeoutMs < 1) {
    throw problem('"timeoutMs" must be a positive integer');
  }
  return settings;
}
