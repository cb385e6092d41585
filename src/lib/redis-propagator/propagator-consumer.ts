import type { PropagatorChannels } from '../contract/propagator-channels';
import {
  parseBroadcastMessage,
  parseSendToUserMessage,
  parseUserChannelMessage,
  type ParseResult,
} from '../contract/propagator-message.parser';
import type { DropReason } from '../contract/invalid-message.error';
import { isFrame, isFrom } from '../contract/propagator-frame';
import type { RateLimitedLogger } from '../shared/rate-limited-logger';
import type { MessageDelivery } from './message-delivery.interface';
import type { ChannelKind, PropagatorMetrics } from './propagator-metrics';

/**
 * How the messages of a channel are handled: decoded and, when valid,
 * delivered, which says how many sockets and streams they reached.
 */
interface ChannelRoute {
  readonly kind: ChannelKind;
  readonly handle: (raw: Buffer, channel: string) => ParseResult<number>;
}

/**
 * Turns each raw message of the three contract channels, and of the users'
 * and rooms' own channels, into one delivery.
 * Every message is decoded once, and handled inside its own try/catch: a
 * malformed message or a failing delivery is logged and counted, and never
 * stops the next message. A frame this instance published is skipped
 * undecoded: the publisher delivered it here already.
 */
export class PropagatorConsumer {
  private readonly routes: ReadonlyMap<string, ChannelRoute>;
  private readonly userRoute: ChannelRoute;
  private readonly userPrefix: string;
  private readonly roomRoute: ChannelRoute;
  private readonly roomPrefix: string;

  constructor(
    channels: PropagatorChannels,
    delivery: MessageDelivery,
    maxMessageBytes: number,
    private readonly metrics: PropagatorMetrics,
    private readonly logger: RateLimitedLogger,
    private readonly origin: Buffer,
  ) {
    const route = <T>(
      kind: ChannelKind,
      decode: (
        raw: Buffer,
        maxBytes: number,
        channel: string,
      ) => ParseResult<T>,
      deliver: (message: T, channel: string) => number,
    ): ChannelRoute => ({
      kind,
      handle: (raw, channel) => {
        const decoded = decode(raw, maxMessageBytes, channel);
        return decoded.ok
          ? { ok: true, message: deliver(decoded.message, channel) }
          : decoded;
      },
    });
    const { userPrefix } = channels;
    this.userPrefix = userPrefix;
    this.userRoute = route(
      'user',
      (raw, maxBytes, channel) =>
        parseUserChannelMessage(
          raw,
          channel.slice(userPrefix.length),
          maxBytes,
        ),
      (message) => delivery.toUser(message),
    );
    const { roomPrefix } = channels;
    this.roomPrefix = roomPrefix;
    this.roomRoute = route(
      'room',
      (raw, maxBytes) => parseBroadcastMessage(raw, maxBytes),
      (message, channel) =>
        delivery.toRoom(channel.slice(roomPrefix.length), message),
    );
    this.routes = new Map([
      [
        channels.send,
        route('send', parseSendToUserMessage, (message) =>
          delivery.toUser(message),
        ),
      ],
      [
        channels.emitAll,
        route('all', parseBroadcastMessage, (message) =>
          delivery.toAll(message),
        ),
      ],
      [
        channels.emitAuthenticated,
        route('authenticated', parseBroadcastMessage, (message) =>
          delivery.toAuthenticated(message),
        ),
      ],
    ]);
  }

  /** The contract channels this consumer reads, besides the users' own. */
  get channels(): string[] {
    return [...this.routes.keys()];
  }

  /** Handles one message of a channel. Never throws. */
  consume(channel: string, raw: Buffer): void {
    const route =
      this.routes.get(channel) ??
      (channel.startsWith(this.userPrefix)
        ? this.userRoute
        : channel.startsWith(this.roomPrefix)
          ? this.roomRoute
          : undefined);
    if (!route || (isFrame(raw) && isFrom(raw, this.origin))) {
      return;
    }
    this.metrics.countConsumed(route.kind);
    try {
      const handled = route.handle(raw, channel);
      if (handled.ok) {
        this.metrics.countDelivered(route.kind, handled.message);
      } else {
        this.drop(route.kind, channel, handled.reason, handled.error);
      }
    } catch (error) {
      if (error instanceof RangeError) {
        // Data nested thousands of levels deep: JSON.parse takes it, but no
        // encoder can walk it. Nothing was sent (the encoding comes before
        // any write), so it is a bad message, not a failed delivery.
        this.drop(
          route.kind,
          channel,
          'invalid',
          `"data" is nested too deeply to encode (${error.message})`,
        );
        return;
      }
      this.metrics.countDeliveryFailed();
      this.logger.error(
        `delivery:${channel}`,
        `Could not deliver a message of ${channel}: ${(error as Error).message}`,
      );
    }
  }

  private drop(
    kind: ChannelKind,
    channel: string,
    reason: DropReason,
    why: string,
  ): void {
    this.metrics.countDropped(kind, reason);
    this.logger.warn(
      `dropped:${channel}`,
      `Dropped a message on ${channel}: ${why}`,
    );
  }
}
