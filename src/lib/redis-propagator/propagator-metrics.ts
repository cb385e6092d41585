import { Injectable } from '@nestjs/common';
import type { DropReason } from './propagator-message.parser';

/** Counters of this instance since it started. */
export interface PropagatorStats {
  /** Messages published to the transport. */
  published: number;
  /** Publishes that failed (transport down, oversized, not serialisable). */
  publishFailed: number;
  /** Messages received on the three channels, valid or not. */
  received: number;
  /** Received messages dropped, by reason. */
  dropped: Record<DropReason, number>;
  /** Valid messages whose delivery to local sockets threw. */
  deliveryFailed: number;
}

/** Counts what the propagator publishes, receives and drops. */
@Injectable()
export class PropagatorMetrics {
  private readonly stats: PropagatorStats = {
    published: 0,
    publishFailed: 0,
    received: 0,
    dropped: { too_large: 0, not_json: 0, invalid: 0 },
    deliveryFailed: 0,
  };

  /** A copy of the counters. */
  snapshot(): PropagatorStats {
    return { ...this.stats, dropped: { ...this.stats.dropped } };
  }

  countPublished(): void {
    this.stats.published += 1;
  }

  countPublishFailed(): void {
    this.stats.publishFailed += 1;
  }

  countReceived(): void {
    this.stats.received += 1;
  }

  countDropped(reason: DropReason): void {
    this.stats.dropped[reason] += 1;
  }

  countDeliveryFailed(): void {
    this.stats.deliveryFailed += 1;
  }
}
