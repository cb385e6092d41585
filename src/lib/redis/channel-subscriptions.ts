import type { PubSubTransport } from './pubsub-transport.interface';

// Batches go no more often than this. A lone change goes at once; under a
// storm of handshakes, each batch gathers what arrived in this window, which
// costs a handshake at most this much latency.
const MIN_BATCH_INTERVAL_MS = 20;
// A refused subscription is asked for again after this long, for as long as
// the channel is wanted: a cluster's slot map being loaded, say.
const RETRY_AFTER_MS = 1_000;

/** Told when the transport refuses a batch of (un)subscriptions. */
export type SubscriptionErrorHandler = (
  action: 'subscribe' | 'unsubscribe',
  channels: readonly string[],
  error: Error,
) => void;

/**
 * Keeps the transport's subscriptions equal to the set of wanted channels,
 * in batches: changes made while a batch is on its way are merged into the
 * next one, and a channel wanted and unwanted in between costs nothing. So a
 * reconnect storm of thousands of sockets sends a handful of SUBSCRIBE
 * commands, each naming many channels.
 *
 * One batch is in flight at a time, which also keeps every channel's
 * SUBSCRIBE and UNSUBSCRIBE in the order they were decided.
 */
export class ChannelSubscriptions {
  private readonly wanted = new Set<string>();
  /** Subscribed on the transport, or on the way there. */
  private readonly sent = new Set<string>();
  private readonly confirmed = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private isFlushing = false;
  private isScheduled = false;
  private lastFlushAt = -Infinity;
  private isClosed = false;

  constructor(
    private readonly transport: Pick<
      PubSubTransport,
      'subscribe' | 'unsubscribe'
    >,
    private readonly onError: SubscriptionErrorHandler,
  ) {}

  /** Subscribes to a channel, in the next batch unless it already is. */
  add(channel: string): void {
    if (this.isClosed || this.wanted.has(channel)) {
      return;
    }
    this.wanted.add(channel);
    this.markDirty(channel);
  }

  /** Unsubscribes from a channel, in the next batch. */
  delete(channel: string): void {
    if (!this.wanted.delete(channel)) {
      return;
    }
    this.settle(channel);
    this.markDirty(channel);
  }

  /** True once the transport has confirmed the channel's subscription. */
  isConfirmed(channel: string): boolean {
    return this.confirmed.has(channel);
  }

  /**
   * Resolves when the channel's subscription is confirmed, or when it no
   * longer can be: it was refused, unwanted, or the set was closed. Ask
   * {@link isConfirmed} which.
   */
  whenSettled(channel: string): Promise<void> {
    if (
      this.confirmed.has(channel) ||
      !this.wanted.has(channel) ||
      this.isClosed
    ) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const waiting = this.waiters.get(channel);
      if (waiting) {
        waiting.push(resolve);
      } else {
        this.waiters.set(channel, [resolve]);
      }
    });
  }

  /** How many channels are subscribed and confirmed. */
  get size(): number {
    return this.confirmed.size;
  }

  /** Stops sending batches and releases every waiter. */
  close(): void {
    this.isClosed = true;
    for (const channel of this.waiters.keys()) {
      this.settle(channel);
    }
  }

  private markDirty(channel: string): void {
    this.dirty.add(channel);
    this.schedule();
  }

  private schedule(): void {
    if (this.isFlushing || this.isScheduled) {
      return;
    }
    this.isScheduled = true;
    const wait = this.lastFlushAt + MIN_BATCH_INTERVAL_MS - performance.now();
    if (wait > 0) {
      setTimeout(() => void this.flush(), wait).unref();
    } else {
      // Everything decided in this turn of the event loop goes in one batch.
      setImmediate(() => void this.flush());
    }
  }

  private async flush(): Promise<void> {
    this.isScheduled = false;
    if (this.isClosed) {
      return;
    }
    this.lastFlushAt = performance.now();
    const toSubscribe: string[] = [];
    const toUnsubscribe: string[] = [];
    for (const channel of this.dirty) {
      if (this.wanted.has(channel) && !this.sent.has(channel)) {
        toSubscribe.push(channel);
        this.sent.add(channel);
      } else if (!this.wanted.has(channel) && this.sent.has(channel)) {
        toUnsubscribe.push(channel);
        this.sent.delete(channel);
        this.confirmed.delete(channel);
      }
    }
    this.dirty.clear();
    this.isFlushing = true;
    await Promise.all([
      toSubscribe.length > 0 && this.subscribe(toSubscribe),
      toUnsubscribe.length > 0 &&
        this.transport
          .unsubscribe(toUnsubscribe)
          .catch((error: Error) =>
            this.report('unsubscribe', toUnsubscribe, error),
          ),
    ]);
    this.isFlushing = false;
    if (this.dirty.size > 0) {
      this.schedule();
    }
  }

  private async subscribe(channels: string[]): Promise<void> {
    try {
      await this.transport.subscribe(channels);
      for (const channel of channels) {
        if (this.sent.has(channel)) {
          this.confirmed.add(channel);
        }
        this.settle(channel);
      }
    } catch (error) {
      for (const channel of channels) {
        this.sent.delete(channel);
        this.settle(channel);
      }
      this.report('subscribe', channels, error as Error);
      setTimeout(() => {
        for (const channel of channels) {
          if (this.wanted.has(channel) && !this.isClosed) {
            this.markDirty(channel);
          }
        }
      }, RETRY_AFTER_MS).unref();
    }
  }

  private report(
    action: 'subscribe' | 'unsubscribe',
    channels: readonly string[],
    error: Error,
  ): void {
    // Closing the transport rejects what was still queued; nobody waits for it.
    if (!this.isClosed) {
      this.onError(action, channels, error);
    }
  }

  private settle(channel: string): void {
    const waiting = this.waiters.get(channel);
    if (waiting) {
      this.waiters.delete(channel);
      for (const resolve of waiting) {
        resolve();
      }
    }
  }
}
