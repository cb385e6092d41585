import { withTimeout } from '../shared/with-timeout';
import type { RoomBus } from './room-bus.interface';

// How long a join waits for its room's channel: one round trip to Redis; the
// bound only matters when Redis stalls.
const SUBSCRIBE_WAIT_MS = 2_000;

/**
 * Counted holds on channels: a channel is subscribed on its first hold and
 * unsubscribed when its last one is given back, with one listener however
 * many rooms, namespaces and streams hold it.
 */
export class ChannelHolds {
  private readonly holds = new Map<
    string,
    { count: number; stop: () => void }
  >();

  constructor(
    private readonly bus: RoomBus,
    private readonly listener: (channel: string, payload: Buffer) => void,
  ) {}

  /** Takes a hold on the channel; give it back with {@link release}. */
  hold(channel: string): void {
    const held = this.holds.get(channel);
    if (held) {
      held.count += 1;
      return;
    }
    this.holds.set(channel, {
      count: 1,
      stop: this.bus.listen(
        channel,
        (payload) => this.listener(channel, payload),
        { required: false },
      ),
    });
  }

  release(channel: string): void {
    const held = this.holds.get(channel);
    if (held && --held.count === 0) {
      this.holds.delete(channel);
      held.stop();
    }
  }

  /**
   * Resolves true once the channel is subscribed, so that what is published
   * on it from then on reaches this instance; false at once while the bus
   * is down, or after 2 s if Redis stalls (the subscription follows when it
   * can).
   */
  whenActive(channel: string): Promise<boolean> {
    if (!this.bus.isReady()) {
      return Promise.resolve(false);
    }
    return withTimeout(
      this.bus.whenSubscribed(channel),
      SUBSCRIBE_WAIT_MS,
      () => new Error('stalled'),
    ).catch(() => false);
  }

  /** How many of the held channels start with `prefix`. */
  countStartingWith(prefix: string): number {
    let count = 0;
    for (const channel of this.holds.keys()) {
      count += channel.startsWith(prefix) ? 1 : 0;
    }
    return count;
  }

  /** How many channels are held. */
  get size(): number {
    return this.holds.size;
  }

  /** Gives back every hold. */
  clear(): void {
    for (const { stop } of this.holds.values()) {
      stop();
    }
    this.holds.clear();
  }
}
