/** Receives every message of every subscribed channel. */
export type TransportMessageHandler = (
  channel: string,
  payload: Buffer,
) => void;

/** What {@link PubSubTransport.holdCount} is asked to hold. */
export interface CountHold {
  /** Where the holders' counts are kept (one Redis key). */
  readonly key: string;
  /** Who holds: an instance. */
  readonly holder: string;
  /** The holder's count from now on; 0 removes the holder. */
  readonly count: number;
  /** How long the count lasts unless held again. */
  readonly leaseMs: number;
  /** When set, the count is taken only if all the live counts stay within it. */
  readonly limit?: number;
}

/** The answer of {@link PubSubTransport.holdCount}. */
export interface HeldCount {
  /** False when the limit refused the count, which then did not change. */
  readonly granted: boolean;
  /** What the other live holders hold together. */
  readonly others: number;
}

/**
 * A pub/sub backend: Redis for several instances, an in-process bus for one,
 * or your own (the `transport` module option). Delivery may be at most once,
 * but messages of one publisher on one channel must arrive in publish order.
 */
export interface PubSubTransport {
  /** A short name for logs and health reports: `redis`, `in-process`, ... */
  readonly kind: string;
  /**
   * Resolves, once the backend has accepted the message, with the number of
   * subscribers that received it (Redis' PUBLISH reply): with per-user
   * channels, how many instances hold the user.
   */
  publish(channel: string, payload: string | Buffer): Promise<number>;
  /**
   * Subscribes to every channel of the list, in as few round trips as the
   * backend allows. Resolves once the backend has confirmed them all.
   */
  subscribe(channels: readonly string[]): Promise<void>;
  /** Stops receiving every channel of the list. */
  unsubscribe(channels: readonly string[]): Promise<void>;
  /**
   * Records `key` for `ttlSeconds` if it is not recorded yet, for message
   * ids (idempotency). Resolves true when it was new. Without this method,
   * message ids are not checked.
   */
  claim?(key: string, ttlSeconds: number): Promise<boolean>;
  /**
   * Counts held under one key by several holders (instances), each under a
   * lease: sets the holder's count (0 removes it) for `leaseMs`, and
   * resolves with what the other live holders hold together. With `limit`,
   * the count is set only if it and the others' stay within the limit;
   * `granted` says whether it was. Expired holders no longer count. Without
   * this method, limits that span instances hold per instance only.
   */
  holdCount?(hold: CountHold): Promise<HeldCount>;
  /** Sets the single handler of inbound messages. It must not throw. */
  setMessageHandler(handler: TransportMessageHandler): void;
  /**
   * How many times a connection was made again after it was lost, since
   * the transport started; for metrics. Optional.
   */
  readonly reconnects?: number;
  /** True while the transport can both publish and receive. */
  isReady(): boolean;
  /** Resolves when {@link isReady} next becomes true (at once if it is). */
  whenReady(): Promise<void>;
  /** Closes every connection. Safe to call twice. */
  close(): Promise<void>;
}
