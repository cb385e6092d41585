/** Receives every message of every subscribed channel. */
export type TransportMessageHandler = (
  channel: string,
  payload: Buffer,
) => void;

/**
 * What {@link RedisService} needs from a pub/sub backend: Redis for several
 * instances, or an in-process bus for one.
 */
export interface PubSubTransport {
  readonly kind: 'redis' | 'in-process';
  /** Resolves once the backend has accepted the message. */
  publish(channel: string, payload: string): Promise<void>;
  /** Resolves once the backend has confirmed the subscription. */
  subscribe(channel: string): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /** Sets the single handler of inbound messages. It must not throw. */
  setMessageHandler(handler: TransportMessageHandler): void;
  /** True while the transport can both publish and receive. */
  isReady(): boolean;
  /** Resolves when {@link isReady} next becomes true (at once if it is). */
  whenReady(): Promise<void>;
  /** Closes every connection. Safe to call twice. */
  close(): Promise<void>;
}
