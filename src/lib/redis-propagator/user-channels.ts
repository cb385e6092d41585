import { Inject, Injectable } from '@nestjs/common';
import type { PropagatorChannels } from '../contract/propagator-channels';
import {
  PROPAGATOR_OPTIONS,
  type ResolvedPropagatorOptions,
} from '../options/resolved-propagator-options';
import { RedisService } from '../redis/redis.service';
import { withTimeout } from '../shared/with-timeout';
import { PropagatorConsumer } from './propagator-consumer';

// How long a new socket or stream waits for its user's channel: one round
// trip to Redis; the bound only matters when Redis stalls.
const SUBSCRIBE_WAIT_MS = 2_000;

/** A hold on a user's channel, taken for one socket (or stream) of the user. */
export interface UserPresence {
  /**
   * Resolves true once the user's channel is subscribed, so that what is
   * published to the user from then on reaches this instance; false at once
   * while the transport is down, or after 2 s if Redis stalls (the
   * subscription follows when it can).
   */
  readonly ready: Promise<boolean>;
  /** Gives the hold back. Safe to call more than once. */
  release(): void;
}

interface Held {
  holds: number;
  readonly stop: () => void;
}

/**
 * Subscribes this instance to the own channel of each user it holds: on the
 * user's first hold, and unsubscribes after the last one is released. So an
 * instance receives a user's traffic only while it has a socket of that user.
 * The subscriptions are batched by {@link RedisService} and restored by the
 * transport after a reconnect.
 */
@Injectable()
export class UserChannels {
  private readonly held = new Map<string, Held>();
  private readonly channels: PropagatorChannels;

  constructor(
    private readonly redis: RedisService,
    private readonly consumer: PropagatorConsumer,
    @Inject(PROPAGATOR_OPTIONS) options: ResolvedPropagatorOptions,
  ) {
    this.channels = options.channels;
  }

  /** Takes a hold on the user's channel; release it when the socket goes. */
  hold(userId: string): UserPresence {
    const channel = this.channels.user(userId);
    let entry = this.held.get(userId);
    if (!entry) {
      entry = {
        holds: 0,
        stop: this.redis.listen(
          channel,
          (raw) => this.consumer.consume(channel, raw),
          { required: false },
        ),
      };
      this.held.set(userId, entry);
    }
    entry.holds += 1;
    let isReleased = false;
    return {
      ready: this.redis.isReady()
        ? withTimeout(
            this.redis.whenSubscribed(channel),
            SUBSCRIBE_WAIT_MS,
            () => new Error('stalled'),
          ).catch(() => false)
        : Promise.resolve(false),
      release: () => {
        if (!isReleased) {
          isReleased = true;
          this.release(userId);
        }
      },
    };
  }

  /** How many users this instance holds a channel for. */
  get size(): number {
    return this.held.size;
  }

  private release(userId: string): void {
    const entry = this.held.get(userId);
    if (entry && --entry.holds === 0) {
      this.held.delete(userId);
      entry.stop();
    }
  }
}
