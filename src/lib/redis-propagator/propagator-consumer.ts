import type { PropagatorChannels } from '../contract/propagator-channels';
import {
  parseBroadcastMessage,
  parseSendToUserMessage,
  parseUserChannelMessage,
  type ParseResult,
} from '../contract/propagator-message.parser';
import { isFrame, isFrom } from '../contract/propagator-frame';
import type { RateLimitedLogger } from '../shared/rate-limited-logger';
import type { MessageDelivery } from './message-delivery.interface';
import type { PropagatorMetrics } from './propagator-metrics';

/** Decodes one raw message and, when it is valid, delivers it. */
type ChannelRoute = (raw: Buffer, channel: string) => ParseResult<unknown>;

/**
 * Turns each raw message of the three contract channels, and of the users'
 * own channels, into one delivery.
 * Every message is decoded once, and handled inside its own try/catch: a
 * malformed message or a failing delivery is logged and counted, and never
 * stops the next message. A frame this instance published is skipped
 * undecoded: the publisher delivered it here already.
 */
export class PropagatorConsumer {
  private readonly routes: ReadonlyMap<string, ChannelRoute>;
  private readonly userRoute: ChannelRoute;
  private readonly userPrefix: string;

  constructor(
    channels: PropagatorChannels,
    delivery: MessageDelivery,
    maxMessageBytes: number,
    private readonly metrics: PropagatorMetrics,
    private readonly logger: RateLimitedLogger,
    private readonly origin: Buffer,
  ) {
    const route =
      <T>(
        decode: (
          raw: Buffer,
          maxBytes: number,
          channel: string,
        ) => ParseResult<T>,
        deliver: (message: T) => void,
      ): ChannelRoute =>
      (raw, channel) => {
        const decoded = decode(raw, maxMessageBytes, channel);
        if (decoded.ok) {
          deliver(decoded.message);
        }
        return decoded;
      };
    const { userPrefix } = channels;
    this.userPrefix = userPrefix;
    this.userRoute = route(
      (raw, maxBytes, channel) =>
        parseUserChannelMessage(
          raw,
          channel.slice(userPrefix.length),
          maxBytes,
        ),
      (message) => delivery.toUser(message),
    );
    this.routes = new Map([
      [
        channels.send,
        route(parseSendToUserMessage, (message) => delivery.toUser(message)),
      ],
      [
        channels.emitAll,
        route(parseBroadcastMessage, (message) => delivery.toAll(message)),
      ],
      [
        channels.emitAuthenticated,
        route(parseBroadcastMessage, (message) =>
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
      (channel.startsWith(this.userPrefix) ? this.userRoute : undefined);
    if (!route || (isFrame(raw) && isFrom(raw, this.origin))) {
      return;
    }
    try {
      this.metrics.countReceived();
      const decoded = route(raw, channel);
      if (!decoded.ok) {
        this.metrics.countDropped(decoded.reason);
        this.logger.warn(
          `dropped:${channel}`,
          `Dropped a message on ${channel}: ${decoded.error}`,
        );
      }
    } catch (error) {
      this.metrics.countDeliveryFailed();
      this.logger.error(
        `delivery:${channel}`,
        `Could not deliver a message of ${channel}: ${(error as Error).message}`,
      );
    }
  }
}
