/** Receives every message of every subscribed channel. */
export type TransportMessageHandler = (
  channel: string,
  payload: Buffer,
) => void;

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
