import type { ClusterNode, ClusterOptions, RedisOptions } from 'ioredis';
import type { JwtVerifierOptions } from '../auth/jwt-verifier-options.interface';
import type { TokenVerifier } from '../auth/token-verifier.interface';
import type { PubSubTransport } from '../redis/pubsub-transport.interface';

/** Options of `RedisPropagatorModule.forRoot()` and `forRootAsync()`. */
export interface RedisPropagatorModuleOptions {
  /**
   * Redis connection URL (`redis://` or `rediss://`). When none of
   * `redisUrl`, `redisOptions` and `transport` is set, an in-process
   * transport is used instead: it delivers only within this process, so run
   * a single instance with it.
   * @default undefined
   */
  redisUrl?: string;
  /**
   * ioredis options, merged over the URL and over this library's defaults
   * (publisher: `maxRetriesPerRequest: 1`, and `enableAutoPipelining: true`,
   * so the publishes of one event-loop turn share one write; subscriber:
   * `maxRetriesPerRequest: null`, so subscriptions wait for Redis).
   * @default undefined
   */
  redisOptions?: RedisOptions;
  /**
   * A Redis Cluster instead of one Redis (set neither `redisUrl` nor
   * `redisOptions` then): its seed nodes (`'10.0.0.1:6379'` or
   * `{ host, port }`), and ioredis `Cluster` options. The users' own
   * channels then use sharded pub/sub (`SPUBLISH`, `SSUBSCRIBE`), so that
   * each user's traffic touches one shard; the contract's three channels
   * stay classic. See "Scaling past one Redis" in the README.
   * @default undefined
   */
  redisCluster?: {
    nodes: readonly ClusterNode[];
    options?: ClusterOptions;
  };
  /**
   * A pub/sub transport of your own, instead of `redisUrl`,
   * `redisOptions` and `redisCluster` (which must then be unset). The module owns it from then
   * on: it closes it when the application shuts down.
   * @default undefined
   */
  transport?: PubSubTransport;
  /**
   * Prepended as is to every channel name; include your own separator
   * (`'myapp:'` gives `myapp:REDIS_SOCKET_EVENT_SEND_NAME`).
   * @default ''
   */
  channelPrefix?: string;
  /** Options of the default JWT verifier. Required unless `verifier` is set. */
  jwt?: JwtVerifierOptions;
  /** A verifier that replaces the default JWT verifier. @default undefined */
  verifier?: TokenVerifier;
  /**
   * Whether a socket without a token may connect, as an anonymous socket.
   * Anonymous sockets receive emit-to-all broadcasts only.
   * @default true
   */
  allowAnonymous?: boolean;
  /**
   * Largest event a client may send, in bytes on the wire (the packet and
   * its binary attachments). A larger one is not handled: the client gets
   * an `exception` event (or the answer to its ack) with code
   * `payload_too_large`. Socket.IO's `maxHttpBufferSize`, unless set in the
   * server options, becomes twice this: a single frame larger than that
   * closes the connection, as in plain Socket.IO.
   * @default 1_000_000 (Socket.IO's default `maxHttpBufferSize`)
   */
  maxEventBytes?: number;
  /**
   * Largest Redis message accepted, in bytes of UTF-8 JSON. Larger messages
   * are dropped and counted; `propagateEvent` and friends refuse to publish
   * one. The default leaves room for the envelope around an event of
   * `maxEventBytes`, so that what a gateway accepted from a client reaches
   * the client's other tabs; if a handler's response is still too large,
   * the sender gets an `exception` event with code `message_too_large`, and
   * no tab gets it.
   * @default maxEventBytes + 65_536
   */
  maxMessageBytes?: number;
  /**
   * A token bucket per client connection on the events it sends, or `false`
   * for none. An event over the rate is not handled: the client gets an
   * `exception` event (or the answer to its ack) with code `rate_limited`.
   * A client with more than `disconnectAfterRefusals` events refused within
   * 5 s is disconnected.
   * @default { eventsPerSecond: 100, burst: 200, disconnectAfterRefusals: 500 }
   */
  rateLimit?:
    | false
    | {
        eventsPerSecond?: number;
        burst?: number;
        disconnectAfterRefusals?: number;
      };
  /**
   * Browser origins allowed to connect (`https://app.example`), besides the
   * page's own host; a request from another origin is refused with HTTP 403
   * (`origin not allowed`), and CORS is set to the same list unless the
   * server options set `cors`. A client that sends no `Origin` (not a
   * browser) is not checked. Unset, origins are not checked.
   * @default undefined
   */
  allowedOrigins?: readonly string[];
  /**
   * New connections allowed per client address: a token bucket per
   * address, or `false` for none. Past it, HTTP 403 `too many connections
   * from this address`, so that one address's reconnect storm cannot starve
   * the others.
   * @default { connectionsPerSecond: 20, burst: 100 }
   */
  connectionRateLimit?:
    false | { connectionsPerSecond?: number; burst?: number };
  /**
   * How many proxies in front of the app append the client's address to
   * `X-Forwarded-For`: the client address is the one that many entries from
   * the end. 0 uses the peer's address. Behind one nginx, 1.
   * @default 0
   */
  trustedProxies?: number;
  /**
   * Most sockets one user may have at once, across every instance, or
   * `false` for no limit. A connection past it is refused: `connect_error`
   * with message `too many sockets for this user (the limit is 50)` and
   * `data: { code: 'too_many_sockets', limit }`. Each namespace a tab joins
   * is a socket. While Redis cannot answer, only this instance's sockets
   * are counted.
   * @default 50
   */
  maxSocketsPerUser?: number | false;
  /**
   * Most rooms one socket may be in at once, besides its own, its user's
   * and the authenticated room. A `join` past it throws an error that names
   * the limit, and is counted as
   * `propagator_events_refused_total{code="too_many_rooms"}`.
   * @default 1_000
   */
  maxRoomsPerSocket?: number;
  /**
   * How long an instance's count of a user's sockets lasts without renewal
   * (instances renew every third of it): after a crash, the crashed
   * instance's sockets stop counting within this time.
   * @default 30_000
   */
  socketLeaseMs?: number;
  /**
   * Most data that may wait unsent for one client connection, in bytes
   * (text counted by length). A client that stops reading (a frozen tab, a
   * stalled network) would otherwise make the server hold everything sent
   * to it; past this limit its connection is closed, logged and counted
   * (`slowClientsDisconnected`). It must exceed `maxMessageBytes`.
   * @default 4_194_304 (4 MiB), or twice `maxMessageBytes` if that is more
   */
  maxBufferedBytes?: number;
  /**
   * How long a message id (the `id` field) is remembered, in seconds: a
   * message whose id was published within this window is not delivered
   * again. It costs one `SET NX EX` round trip per message with an id, and a
   * small key kept that long. A raw PUBLISH does not check ids.
   * @default 300
   */
  idempotencyWindowSeconds?: number;
  /**
   * Longest a publish (`propagateEvent` and friends, and what the
   * interceptor propagates) waits for a connected Redis to answer before it
   * rejects with a `PropagatorPublishError`. While Redis is disconnected a
   * publish rejects at once.
   * @default 2_000
   */
  publishTimeoutMs?: number;
  /**
   * How long start-up waits for the transport (connected, channels
   * subscribed) before going on without it; readiness stays false until
   * then.
   * @default 10_000
   */
  readyTimeoutMs?: number;
}
