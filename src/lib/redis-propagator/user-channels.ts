import { Inject, Injectable } from '@nestjs/common';
import type { PropagatorChannels } from '../contract/propagator-channels';
import {
  PROPAGATOR_OPTIONS,
  type ResolvedPropagatorOptions,
} from '../options/resolved-propagator-options';
import { RoomRouter } from '../rooms/room-router';

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

/**
 * Holds the own channel of each user this instance has a socket or stream
 * of, from the user's first hold to the last release, so an instance
 * receives a user's traffic only while it has the user. The channel is the
 * one of the user's room (see RoomRouter), which delivers its pushes to the
 * consumer; a socket holds it from its handshake, before it joins the room.
 */
@Injectable()
export class UserChannels {
  private readonly held = new Map<string, number>();
  private readonly channels: PropagatorChannels;

  constructor(
    private readonly router: RoomRouter,
    @Inject(PROPAGATOR_OPTIONS) options: ResolvedPropagatorOptions,
  ) {
    this.channels = options.channels;
  }

  /** Takes a hold on the user's channel; release it when the socket goes. */
  hold(userId: string): UserPresence {
    const channel = this.channels.user(userId);
    this.held.set(userId, (this.held.get(userId) ?? 0) + 1);
    this.router.hold(channel);
    let isReleased = false;
    return {
      ready: this.router.whenActive([channel]),
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
    const holds = this.held.get(userId) ?? 0;
    if (holds <= 1) {
      this.held.delete(userId);
    } else {
      this.held.set(userId, holds - 1);
    }
    this.router.release(this.channels.user(userId));
  }
}
