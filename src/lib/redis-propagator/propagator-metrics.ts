import type { DropReason } from '../contract/invalid-message.error';

/**
 * The kind of channel a message travelled on: a user's own channel, a
 * room's, a namespace's (a Socket.IO broadcast to no room, such as
 * `server.emit`), or one of the three contract channels (send-to-user,
 * emit-to-all, emit-to-authenticated).
 */
export type ChannelKind =
  'user' | 'room' | 'namespace' | 'send' | 'all' | 'authenticated';

/** Why a client's event was refused (not handled, or not propagated). */
export type EventRefusalCode =
  'rate_limited' | 'payload_too_large' | 'message_too_large' | 'too_many_rooms';

/** Why the server closed a client's connection. */
export type DisconnectReason = 'abuse' | 'slow_client';

/** Counters of this instance since it started, as a read-only snapshot. */
export interface PropagatorMetricsSnapshot {
  /** Messages published to the transport. */
  readonly published: number;
  /** Publishes the transport refused (Redis down, connection lost). */
  readonly publishFailed: number;
  /** Messages not published because their id was published within the idempotency window. */
  readonly duplicates: number;
  /** Messages refused before publishing, by reason (invalid, oversized, not serialisable). */
  readonly publishRefused: Readonly<Record<DropReason, number>>;
  /** Messages received on the contract and user channels, valid or not. */
  readonly received: number;
  /** Received messages dropped, by reason. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Valid messages whose delivery to local sockets threw. */
  readonly deliveryFailed: number;
  /** Client connections closed because they stopped reading (see `maxBufferedBytes`). */
  readonly slowClientsDisconnected: number;
  /** Users whose own channel this instance is subscribed to now. */
  readonly userChannels: number;
  /** Listen-only clients (event streams) open on this instance now. */
  readonly eventStreams: number;
}

/** Upper bounds of the publish-latency histogram, in seconds. */
export const PUBLISH_SECONDS_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
] as const;

/** A histogram's state: a count per bucket (not cumulative), the sum and the count. */
export interface HistogramState {
  readonly buckets: readonly number[];
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

type PerKind = Record<ChannelKind, number>;
type PerReason = Record<DropReason, number>;

const perKind = (): PerKind => ({
  user: 0,
  room: 0,
  namespace: 0,
  send: 0,
  all: 0,
  authenticated: 0,
});
const perReason = (): PerReason => ({ too_large: 0, not_json: 0, invalid: 0 });

/**
 * Counts what the propagator publishes, receives, delivers and drops, and
 * what the limits refuse. Plain counters with no dependency, so the
 * publisher can count without Nest; `PropagatorMetricsCollector` exposes
 * them to Prometheus.
 */
export class PropagatorMetrics {
  readonly published = perKind();
  readonly consumed = perKind();
  /** Socket and stream deliveries: one message to three tabs counts three. */
  readonly delivered = perKind();
  readonly dropped: Record<ChannelKind, PerReason> = {
    user: perReason(),
    room: perReason(),
    namespace: perReason(),
    send: perReason(),
    all: perReason(),
    authenticated: perReason(),
  };
  readonly publishRefused = perReason();
  readonly eventsRefused = new Map<EventRefusalCode, number>();
  readonly disconnects = new Map<DisconnectReason, number>();
  /** By code: the limits' codes, and the authentication's (`invalid_token`, ...). */
  readonly connectionsRefused = new Map<string, number>();
  duplicates = 0;
  publishFailed = 0;
  deliveryFailed = 0;
  private readonly publishCounts = PUBLISH_SECONDS_BUCKETS.map(() => 0);
  private publishOverflow = 0;
  private publishSum = 0;

  /** The totals of {@link PropagatorMetricsSnapshot}, frozen. */
  snapshot(): Omit<PropagatorMetricsSnapshot, 'userChannels' | 'eventStreams'> {
    return Object.freeze({
      published: total(this.published),
      publishFailed: this.publishFailed,
      duplicates: this.duplicates,
      publishRefused: Object.freeze({ ...this.publishRefused }),
      received: total(this.consumed),
      dropped: Object.freeze(sumReasons(Object.values(this.dropped))),
      deliveryFailed: this.deliveryFailed,
      slowClientsDisconnected: this.disconnects.get('slow_client') ?? 0,
    });
  }

  /** The publish latencies observed so far. */
  publishLatency(): HistogramState {
    return {
      buckets: PUBLISH_SECONDS_BUCKETS,
      counts: [...this.publishCounts, this.publishOverflow],
      sum: this.publishSum,
      count:
        this.publishCounts.reduce((a, b) => a + b, 0) + this.publishOverflow,
    };
  }

  countPublished(kind: ChannelKind, seconds: number): void {
    this.published[kind] += 1;
    this.observePublish(seconds);
  }

  countPublishFailed(seconds?: number): void {
    this.publishFailed += 1;
    if (seconds !== undefined) {
      this.observePublish(seconds);
    }
  }

  countDuplicate(): void {
    this.duplicates += 1;
  }

  countPublishRefused(reason: DropReason): void {
    this.publishRefused[reason] += 1;
  }

  countConsumed(kind: ChannelKind): void {
    this.consumed[kind] += 1;
  }

  countDelivered(kind: ChannelKind, recipients: number): void {
    this.delivered[kind] += recipients;
  }

  countDropped(kind: ChannelKind, reason: DropReason): void {
    this.dropped[kind][reason] += 1;
  }

  countDeliveryFailed(): void {
    this.deliveryFailed += 1;
  }

  countEventRefused(code: EventRefusalCode): void {
    increment(this.eventsRefused, code);
  }

  countDisconnect(reason: DisconnectReason): void {
    increment(this.disconnects, reason);
  }

  countConnectionRefused(code: string): void {
    increment(this.connectionsRefused, code);
  }

  private observePublish(seconds: number): void {
    this.publishSum += seconds;
    const bucket = PUBLISH_SECONDS_BUCKETS.findIndex((le) => seconds <= le);
    if (bucket < 0) {
      this.publishOverflow += 1;
    } else {
      this.publishCounts[bucket] += 1;
    }
  }
}

function increment<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function total(counts: PerKind): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

function sumReasons(list: readonly PerReason[]): PerReason {
  const sum = perReason();
  for (const reasons of list) {
    sum.too_large += reasons.too_large;
    sum.not_json += reasons.not_json;
    sum.invalid += reasons.invalid;
  }
  return sum;
}
