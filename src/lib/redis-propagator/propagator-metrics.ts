import type { DropReason } from '../contract/invalid-message.error';

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

interface Counters {
  published: number;
  duplicates: number;
  publishFailed: number;
  publishRefused: Record<DropReason, number>;
  received: number;
  dropped: Record<DropReason, number>;
  deliveryFailed: number;
  slowClientsDisconnected: number;
}

const byReason = (): Record<DropReason, number> => ({
  too_large: 0,
  not_json: 0,
  invalid: 0,
});

/**
 * Counts what the propagator publishes, receives and drops. Plain counters
 * with no dependency, so the publisher can count without Nest.
 */
export class PropagatorMetrics {
  private readonly counters: Counters = {
    published: 0,
    duplicates: 0,
    publishFailed: 0,
    publishRefused: byReason(),
    received: 0,
    dropped: byReason(),
    deliveryFailed: 0,
    slowClientsDisconnected: 0,
  };

  /** A frozen copy of the counters. */
  snapshot(): Omit<PropagatorMetricsSnapshot, 'userChannels' | 'eventStreams'> {
    return Object.freeze({
      ...this.counters,
      publishRefused: Object.freeze({ ...this.counters.publishRefused }),
      dropped: Object.freeze({ ...this.counters.dropped }),
    });
  }

  countPublished(): void {
    this.counters.published += 1;
  }

  countDuplicate(): void {
    this.counters.duplicates += 1;
  }

  countPublishFailed(): void {
    this.counters.publishFailed += 1;
  }

  countPublishRefused(reason: DropReason): void {
    this.counters.publishRefused[reason] += 1;
  }

  countReceived(): void {
    this.counters.received += 1;
  }

  countDropped(reason: DropReason): void {
    this.counters.dropped[reason] += 1;
  }

  countDeliveryFailed(): void {
    this.counters.deliveryFailed += 1;
  }

  countSlowClientDisconnected(): void {
    this.counters.slowClientsDisconnected += 1;
  }
}
