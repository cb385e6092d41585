import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Observable } from 'rxjs';
import { ChannelSubscriptions } from './channel-subscriptions';
import { PUBSUB_TRANSPORT } from './redis.constants';
import type {
  CountHold,
  HeldCount,
  PubSubTransport,
} from './pubsub-transport.interface';

/** Receives each message of a channel. */
export type ChannelListener = (payload: Buffer) => void;

/**
 * Publishes to and subscribes on pub/sub channels, over Redis (one publisher
 * and one subscriber connection) or, with no Redis configured, in process.
 *
 * It knows nothing about sockets or message formats: payloads are strings or
 * bytes out, and raw bytes in.
 */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  private readonly listeners = new Map<string, Set<ChannelListener>>();
  private readonly completions = new Set<() => void>();
  private readonly required = new Set<string>();
  private readonly subscriptions: ChannelSubscriptions;
  private unclaimed?: (channel: string, payload: Buffer) => void;

  constructor(
    @Inject(PUBSUB_TRANSPORT) private readonly transport: PubSubTransport,
  ) {
    transport.setMessageHandler((channel, payload) =>
      this.dispatch(channel, payload),
    );
    this.subscriptions = new ChannelSubscriptions(
      transport,
      (action, channels, error) =>
        this.logger.error(
          `Could not ${action} ${channels.length} channel(s) (${channels[0]}, ...): ${error.message}`,
        ),
    );
  }

  /** `redis`, or `in-process` when no Redis is configured. */
  get transportKind(): string {
    return this.transport.kind;
  }

  /**
   * Publishes a message. Resolves with the number of subscribers that got
   * it; rejects if the transport could not take it.
   */
  publish(channel: string, value: string | Buffer): Promise<number> {
    return this.transport.publish(channel, value);
  }

  /**
   * Records a key for `ttlSeconds` if absent (message ids); true when it was
   * new. A transport that cannot record keys treats every key as new.
   */
  claim(key: string, ttlSeconds: number): Promise<boolean> {
    return this.transport.claim
      ? this.transport.claim(key, ttlSeconds)
      : Promise.resolve(true);
  }

  /** See PubSubTransport.holdCount; undefined when the transport cannot. */
  holdCount(hold: CountHold): Promise<HeldCount> | undefined {
    return this.transport.holdCount?.(hold);
  }

  /**
   * The messages of one channel. The channel is subscribed on the first
   * subscription and unsubscribed when the last one ends, batched with
   * other channels' changes. The Observable never errors and completes only
   * when the service shuts down.
   *
   * Handle errors inside your subscriber: rxjs rethrows an exception of a
   * `next` callback asynchronously, where it ends the process.
   *
   * @param options.required Whether readiness waits for this channel: true
   *   for channels that must always be subscribed, false for those that come
   *   and go with traffic. @default true
   */
  fromEvent(
    channel: string,
    options: { required?: boolean } = {},
  ): Observable<Buffer> {
    return new Observable<Buffer>((subscriber) => {
      const complete = () => subscriber.complete();
      this.completions.add(complete);
      const stop = this.listen(
        channel,
        (payload) => subscriber.next(payload),
        options,
      );
      return () => {
        this.completions.delete(complete);
        stop();
      };
    });
  }

  /**
   * {@link fromEvent} without rxjs, for the many short-lived channels of
   * users: calls `listener` with each message of the channel until the
   * returned function is called. The listener must not throw.
   */
  listen(
    channel: string,
    listener: ChannelListener,
    { required = true }: { required?: boolean } = {},
  ): () => void {
    if (required) {
      this.required.add(channel);
    }
    let channelListeners = this.listeners.get(channel);
    if (!channelListeners) {
      channelListeners = new Set();
      this.listeners.set(channel, channelListeners);
      this.subscriptions.add(channel);
    }
    channelListeners.add(listener);
    return () => this.removeListener(channel, listener);
  }

  /**
   * Receives the messages of channels that nobody listens to any more: they
   * were published while the channel was still subscribed, and PUBLISH
   * counted this instance. The rooms answer such requests, so that the
   * requester gets as many answers as PUBLISH said. One listener at most.
   */
  listenUnclaimed(listener: (channel: string, payload: Buffer) => void): void {
    this.unclaimed = listener;
  }

  /**
   * Resolves when the channel's subscription is confirmed by the transport
   * (true), or can no longer be (false: refused, or nobody listens anymore).
   * While the transport is disconnected this waits for it.
   */
  async whenSubscribed(channel: string): Promise<boolean> {
    await this.subscriptions.whenSettled(channel);
    return this.subscriptions.isConfirmed(channel);
  }

  /** Connections the transport made again after a loss (0 if it does not say). */
  get reconnects(): number {
    return this.transport.reconnects ?? 0;
  }

  /** How many channels this instance is subscribed to. */
  get subscribedCount(): number {
    return this.subscriptions.size;
  }

  /** True when the transport is up and every required channel is subscribed. */
  isReady(): boolean {
    if (!this.transport.isReady()) {
      return false;
    }
    for (const channel of this.required) {
      if (!this.subscriptions.isConfirmed(channel)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Waits until the transport is ready and every required channel subscribed
   * so far is confirmed, or until the timeout. Resolves to whether it got
   * ready.
   */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    // A refused subscription settles too (it is logged), so ask isReady().
    const ready = Promise.all([
      this.transport.whenReady(),
      ...[...this.required].map((channel) =>
        this.subscriptions.whenSettled(channel),
      ),
    ]).then(() => this.isReady());
    try {
      return await Promise.race([ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriptions.close();
    // complete() removes itself from the set; a Set iterates on regardless.
    for (const complete of this.completions) {
      complete();
    }
    await this.transport.close();
    this.logger.log(`Closed the ${this.transport.kind} transport`);
  }

  private removeListener(channel: string, listener: ChannelListener): void {
    const channelListeners = this.listeners.get(channel);
    if (!channelListeners?.delete(listener) || channelListeners.size) {
      return;
    }
    this.listeners.delete(channel);
    this.required.delete(channel);
    this.subscriptions.delete(channel);
  }

  private dispatch(channel: string, payload: Buffer): void {
    // Listeners do not throw: each consumer handles its own errors.
    const channelListeners = this.listeners.get(channel);
    if (!channelListeners) {
      this.unclaimed?.(channel, payload);
      return;
    }
    for (const listener of channelListeners) {
      listener(payload);
    }
  }
}
