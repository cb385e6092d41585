import { InvalidMessageError } from '../contract/invalid-message.error';
import type { PropagatorChannels } from '../contract/propagator-channels';
import type {
  BroadcastMessage,
  SendToUserMessage,
} from '../contract/propagator-message.interface';
import {
  encodeMessage,
  type ParsedBroadcast,
  type ParseResult,
  toBroadcast,
  toSendToUser,
} from '../contract/propagator-message.parser';
import type { PubSubTransport } from '../redis/pubsub-transport.interface';
import type { PropagatorMetrics } from './propagator-metrics';
import { PropagatorPublishError } from './propagator-publish.error';

/**
 * Validates messages against the wire contract and publishes them. It has no
 * Nest dependency: a plain Node.js service, a command-line tool or an HTTP
 * API can publish with it, exactly as a gateway does.
 */
export class PropagatorPublisher {
  constructor(
    private readonly transport: Pick<PubSubTransport, 'publish'>,
    private readonly channels: PropagatorChannels,
    private readonly maxMessageBytes: number,
    private readonly metrics?: PropagatorMetrics,
  ) {}

  /**
   * Sends to every socket of a user, on every instance, except `socketId`,
   * through the user's own channel. Resolves with the number of instances
   * that hold the user (0: the user is connected nowhere). Rejects with an
   * {@link InvalidMessageError} for a message that breaks the contract, and
   * a {@link PropagatorPublishError} when the transport refuses it.
   */
  sendToUser(message: SendToUserMessage): Promise<number> {
    return this.publish(toSendToUser(message), ({ userId }) =>
      this.channels.user(userId),
    );
  }

  /**
   * Sends to every socket of a namespace, anonymous ones included. Resolves
   * with the number of instances that got it.
   */
  emitToAll(message: BroadcastMessage): Promise<number> {
    return this.publish(toBroadcast(message), () => this.channels.emitAll);
  }

  /**
   * Sends to every authenticated socket of a namespace. Resolves with the
   * number of instances that got it.
   */
  emitToAuthenticated(message: BroadcastMessage): Promise<number> {
    return this.publish(
      toBroadcast(message),
      () => this.channels.emitAuthenticated,
    );
  }

  private async publish<T extends ParsedBroadcast>(
    validated: ParseResult<T>,
    channelOf: (message: T) => string,
  ): Promise<number> {
    let payload: string | Buffer;
    let channel: string;
    try {
      if (!validated.ok) {
        throw new InvalidMessageError(validated.reason, validated.error);
      }
      payload = encodeMessage(validated.message, this.maxMessageBytes);
      channel = channelOf(validated.message);
    } catch (error) {
      this.metrics?.countPublishRefused((error as InvalidMessageError).reason);
      throw error;
    }
    let receivers: number;
    try {
      receivers = await this.transport.publish(channel, payload);
    } catch (error) {
      this.metrics?.countPublishFailed();
      throw new PropagatorPublishError(
        `Could not publish on ${channel}: ${(error as Error).message}`,
        channel,
        { cause: error },
      );
    }
    this.metrics?.countPublished();
    return receivers;
  }
}
