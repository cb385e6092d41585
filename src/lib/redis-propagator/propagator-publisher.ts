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
  roomNameProblem,
  toBroadcast,
  toSendToUser,
} from '../contract/propagator-message.parser';
import type { PubSubTransport } from '../redis/pubsub-transport.interface';
import type { MessageDelivery } from './message-delivery.interface';
import type { ChannelKind, PropagatorMetrics } from './propagator-metrics';
import { PropagatorPublishError } from './propagator-publish.error';

/** What a publisher publishes with. */
export interface PublisherSettings {
  readonly maxMessageBytes: number;
  /** How long a message id is remembered, in seconds. */
  readonly idempotencyWindowSeconds: number;
}

/** How a publisher inside an instance of the app is wired to it. */
export interface InstancePublishing {
  /** Names this instance in its frames, so its consumer skips them. */
  readonly origin: Buffer;
  /** This instance's sockets, which get each message before it is published. */
  readonly local: MessageDelivery;
}

/**
 * Validates messages against the wire contract and publishes them. It has no
 * Nest dependency: a plain Node.js service, a command-line tool or an HTTP
 * API can publish with it, exactly as a gateway does.
 *
 * Inside an instance, it delivers to the instance's own sockets first, at
 * once and whether or not the transport is up, then publishes for the other
 * instances.
 *
 * A message with an `id` is first claimed on the transport (Redis: one
 * `SET NX EX`); if the id was claimed within the idempotency window, the
 * message is neither delivered nor published, and the call resolves 0.
 */
export class PropagatorPublisher {
  constructor(
    private readonly transport: Pick<PubSubTransport, 'publish' | 'claim'>,
    private readonly channels: PropagatorChannels,
    private readonly settings: PublisherSettings,
    private readonly metrics?: PropagatorMetrics,
    private readonly instance?: InstancePublishing,
  ) {}

  /**
   * Sends to every socket of a user, on every instance, except `socketId`,
   * through the user's own channel. Resolves with the number of instances
   * that hold the user (0: the user is connected nowhere). Rejects with an
   * {@link InvalidMessageError} for a message that breaks the contract, and
   * a {@link PropagatorPublishError} when the transport refuses it.
   */
  sendToUser(message: SendToUserMessage): Promise<number> {
    return this.publish(
      'user',
      toSendToUser(message),
      ({ userId }) => this.channels.user(userId),
      (local, parsed) => local.toUser(parsed),
    );
  }

  /**
   * Sends to every socket of a namespace, anonymous ones included. Resolves
   * with the number of instances that got it.
   */
  emitToAll(message: BroadcastMessage): Promise<number> {
    return this.publish(
      'all',
      toBroadcast(message),
      () => this.channels.emitAll,
      (local, parsed) => local.toAll(parsed),
    );
  }

  /**
   * Sends to every authenticated socket of a namespace. Resolves with the
   * number of instances that got it.
   */
  emitToAuthenticated(message: BroadcastMessage): Promise<number> {
    return this.publish(
      'authenticated',
      toBroadcast(message),
      () => this.channels.emitAuthenticated,
      (local, parsed) => local.toAuthenticated(parsed),
    );
  }

  /**
   * Sends to every socket in a room, on every instance, through the room's
   * own channel. Resolves with the number of instances that hold the room
   * (0: nobody is in it). Rejects as {@link sendToUser} does, and for a room
   * name that cannot be a room.
   */
  emitToRoom(room: string, message: BroadcastMessage): Promise<number> {
    const problem = roomNameProblem(room);
    return this.publish(
      'room',
      problem === undefined
        ? toBroadcast(message)
        : { ok: false, reason: 'invalid', error: problem },
      () => this.channels.room(room),
      (local, parsed) => local.toRoom(room, parsed),
    );
  }

  private async publish<T extends ParsedBroadcast>(
    kind: ChannelKind,
    validated: ParseResult<T>,
    channelOf: (message: T) => string,
    deliver: (local: MessageDelivery, message: T) => number,
  ): Promise<number> {
    let payload: Buffer;
    let channel: string;
    try {
      if (!validated.ok) {
        throw new InvalidMessageError(validated.reason, validated.error);
      }
      payload = encodeMessage(
        validated.message,
        this.settings.maxMessageBytes,
        this.instance?.origin,
      );
      channel = channelOf(validated.message);
    } catch (error) {
      this.metrics?.countPublishRefused((error as InvalidMessageError).reason);
      throw error;
    }
    const { id } = validated.message;
    if (id !== undefined && !(await this.claim(id, channel))) {
      this.metrics?.countDuplicate();
      return 0;
    }
    const local = this.instance?.local;
    if (local) {
      this.deliverLocally(kind, () => deliver(local, validated.message));
    }
    const startedAt = performance.now();
    let receivers: number;
    try {
      receivers = await this.transport.publish(channel, payload);
    } catch (error) {
      this.metrics?.countPublishFailed(secondsSince(startedAt));
      throw new PropagatorPublishError(
        `Could not publish on ${channel}: ${(error as Error).message}`,
        channel,
        { cause: error },
      );
    }
    this.metrics?.countPublished(kind, secondsSince(startedAt));
    return receivers;
  }

  /** True if the id is new within the window; a transport without claims lets every id through. */
  private async claim(id: string, channel: string): Promise<boolean> {
    if (!this.transport.claim) {
      return true;
    }
    try {
      return await this.transport.claim(
        this.channels.idKey(id),
        this.settings.idempotencyWindowSeconds,
      );
    } catch (error) {
      this.metrics?.countPublishFailed();
      throw new PropagatorPublishError(
        `Could not check the id of a message for ${channel}: ${(error as Error).message}`,
        channel,
        { cause: error },
      );
    }
  }

  private deliverLocally(kind: ChannelKind, deliver: () => number): void {
    try {
      this.metrics?.countDelivered(kind, deliver());
    } catch {
      // A broken local socket must not stop the other instances' copy.
      this.metrics?.countDeliveryFailed();
    }
  }
}

function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1_000;
}
