import type {
  CountHold,
  HeldCount,
  PubSubTransport,
  TransportMessageHandler,
} from './pubsub-transport.interface';

/**
 * Joins in-process transports of one process the way one Redis joins
 * instances: a message published on one reaches every transport subscribed
 * to its channel, the publisher included.
 */
export class InProcessBus {
  private readonly members = new Set<InProcessTransport>();
  /** Claimed keys, and when each expires (ms since the epoch). */
  private readonly claims = new Map<string, number>();
  /** Held counts: by key, each holder's count and when its lease ends. */
  private readonly counts = new Map<
    string,
    Map<string, { count: number; expiresAt: number }>
  >();

  join(member: InProcessTransport): void {
    this.members.add(member);
  }

  leave(member: InProcessTransport): void {
    this.members.delete(member);
  }

  /** Records a key until `ttlSeconds` from now, if absent: Redis' SET NX EX. */
  claim(key: string, ttlSeconds: number): boolean {
    const now = Date.now();
    const expiresAt = this.claims.get(key);
    if (expiresAt !== undefined && expiresAt > now) {
      return false;
    }
    if (expiresAt !== undefined || this.claims.size > 10_000) {
      for (const [claimed, until] of this.claims) {
        if (until <= now) this.claims.delete(claimed);
      }
    }
    this.claims.set(key, now + ttlSeconds * 1_000);
    return true;
  }

  /** Sets a holder's count under a lease, within a limit: see PubSubTransport.holdCount. */
  holdCount({ key, holder, count, leaseMs, limit }: CountHold): HeldCount {
    const now = Date.now();
    const holders = this.counts.get(key) ?? new Map();
    let others = 0;
    for (const [name, held] of holders) {
      if (held.expiresAt <= now) {
        holders.delete(name);
      } else if (name !== holder) {
        others += held.count;
      }
    }
    if (limit !== undefined && others + count > limit) {
      return { granted: false, others };
    }
    if (count > 0) {
      holders.set(holder, { count, expiresAt: now + leaseMs });
    } else {
      holders.delete(holder);
    }
    if (holders.size > 0) {
      this.counts.set(key, holders);
    } else {
      this.counts.delete(key);
    }
    return { granted: true, others };
  }

  /** How many members are subscribed to the channel: Redis' NUMSUB. */
  numsub(channel: string): number {
    let count = 0;
    for (const member of this.members) {
      count += member.isSubscribed(channel) ? 1 : 0;
    }
    return count;
  }

  /**
   * Delivers asynchronously, and in publish order, as Redis would. Returns
   * how many members were subscribed to the channel when it was published.
   */
  publish(channel: string, payload: string | Buffer): number {
    const message = Buffer.from(payload);
    const receivers = [...this.members].filter((member) =>
      member.isSubscribed(channel),
    );
    queueMicrotask(() => {
      for (const member of receivers) {
        member.receive(channel, message);
      }
    });
    return receivers.length;
  }
}

/**
 * Pub/sub within one process, for running a single instance with no Redis.
 * Each transport has a bus of its own unless one is given.
 */
export class InProcessTransport implements PubSubTransport {
  readonly kind = 'in-process';
  private readonly channels = new Set<string>();
  private handler: TransportMessageHandler = () => undefined;
  private isClosed = false;

  constructor(private readonly bus = new InProcessBus()) {
    bus.join(this);
  }

  publish(channel: string, payload: string | Buffer): Promise<number> {
    if (this.isClosed) {
      return Promise.reject(new Error('the in-process transport is closed'));
    }
    return Promise.resolve(this.bus.publish(channel, payload));
  }

  holdCount(hold: CountHold): Promise<HeldCount> {
    if (this.isClosed) {
      return Promise.reject(new Error('the in-process transport is closed'));
    }
    return Promise.resolve(this.bus.holdCount(hold));
  }

  claim(key: string, ttlSeconds: number): Promise<boolean> {
    if (this.isClosed) {
      return Promise.reject(new Error('the in-process transport is closed'));
    }
    return Promise.resolve(this.bus.claim(key, ttlSeconds));
  }

  isSubscribed(channel: string): boolean {
    return !this.isClosed && this.channels.has(channel);
  }

  /** Called by the bus for every message published on a subscribed channel. */
  receive(channel: string, message: Buffer): void {
    // As with Redis, a message published while the channel was subscribed
    // arrives even if the channel was unsubscribed since: PUBLISH counted it.
    if (!this.isClosed) {
      this.handler(channel, message);
    }
  }

  subscribe(channels: readonly string[]): Promise<void> {
    for (const channel of channels) {
      this.channels.add(channel);
    }
    return Promise.resolve();
  }

  unsubscribe(channels: readonly string[]): Promise<void> {
    for (const channel of channels) {
      this.channels.delete(channel);
    }
    return Promise.resolve();
  }

  setMessageHandler(handler: TransportMessageHandler): void {
    this.handler = handler;
  }

  isReady(): boolean {
    return !this.isClosed;
  }

  whenReady(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.isClosed = true;
    this.channels.clear();
    this.bus.leave(this);
    return Promise.resolve();
  }
}
