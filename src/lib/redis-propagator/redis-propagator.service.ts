import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { Subscription } from 'rxjs';
import { RedisService } from '../redis/redis.service';
import { REDIS_PROPAGATOR_OPTIONS } from '../redis-propagator.module-definition';
import {
  DEFAULT_PROPAGATOR_OPTIONS,
  type RedisPropagatorModuleOptions,
} from '../redis-propagator.options';
import { RateLimitedLogger } from '../shared/rate-limited-logger';
import { SocketStateService } from '../socket-state/socket-state.service';
import { PropagatorMetrics } from './propagator-metrics';
import type {
  BroadcastMessage,
  SendToUserMessage,
} from './propagator-message.interface';
import {
  parseBroadcastMessage,
  parseSendToUserMessage,
  toBroadcast,
  toSendToUser,
  type ParsedBroadcast,
  type ParsedSendToUser,
  type ParseResult,
} from './propagator-message.parser';
import { PropagatorPublishError } from './propagator-publish.error';
import {
  AUTHENTICATED_ROOM,
  propagatorChannels,
  type PropagatorChannels,
} from './redis-propagator.constants';

/**
 * Sends events to sockets on every instance. Publishing goes through Redis;
 * every instance, this one included, consumes the three channels and delivers
 * to its own sockets.
 */
@Injectable()
export class RedisPropagatorService implements OnModuleInit, OnModuleDestroy {
  /** The channel names in use, with the configured prefix. */
  readonly channels: PropagatorChannels;
  private readonly logger = new Logger(RedisPropagatorService.name);
  private readonly rateLimited = new RateLimitedLogger(this.logger);
  private readonly maxMessageBytes: number;
  private readonly readyTimeoutMs: number;
  private readonly subscription = new Subscription();

  constructor(
    private readonly redis: RedisService,
    private readonly socketState: SocketStateService,
    private readonly metrics: PropagatorMetrics,
    @Inject(REDIS_PROPAGATOR_OPTIONS) options: RedisPropagatorModuleOptions,
  ) {
    const settings = { ...DEFAULT_PROPAGATOR_OPTIONS, ...options };
    this.channels = propagatorChannels(settings.channelPrefix);
    this.maxMessageBytes = settings.maxMessageBytes;
    this.readyTimeoutMs = settings.readyTimeoutMs;
  }

  async onModuleInit(): Promise<void> {
    const { send, emitAll, emitAuthenticated } = this.channels;
    this.consume(send, parseSendToUserMessage, (message) =>
      this.deliverToUser(message),
    );
    this.consume(emitAll, parseBroadcastMessage, (message) =>
      this.deliverToAll(message),
    );
    this.consume(emitAuthenticated, parseBroadcastMessage, (message) =>
      this.deliverToAuthenticated(message),
    );
    if (!(await this.redis.waitUntilReady(this.readyTimeoutMs))) {
      this.logger.warn(
        `Redis is not ready after ${this.readyTimeoutMs} ms; starting anyway. ` +
          'Events published before it connects are lost.',
      );
    }
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }

  /**
   * Sends an event to every socket of a user, on every instance, in the
   * message's namespace (default `/`), except the socket `socketId`.
   * Rejects with a TypeError for an invalid message and a
   * {@link PropagatorPublishError} when it cannot be published.
   */
  propagateEvent(message: SendToUserMessage): Promise<void> {
    return this.publish(this.channels.send, toSendToUser(message));
  }

  /** Sends an event to every socket of a namespace on every instance, anonymous ones included. */
  emitToAll(message: BroadcastMessage): Promise<void> {
    return this.publish(this.channels.emitAll, toBroadcast(message));
  }

  /** Sends an event to every authenticated socket of a namespace on every instance. */
  emitToAuthenticated(message: BroadcastMessage): Promise<void> {
    return this.publish(this.channels.emitAuthenticated, toBroadcast(message));
  }

  private async publish(
    channel: string,
    validated: ParseResult<ParsedBroadcast>,
  ): Promise<void> {
    if (!validated.ok) {
      throw new TypeError(`Invalid propagator message: ${validated.error}`);
    }
    let payload: string;
    try {
      payload = JSON.stringify(validated.message);
    } catch (error) {
      this.metrics.countPublishFailed();
      throw new PropagatorPublishError(
        `The message is not serialisable: ${(error as Error).message}`,
        channel,
        { cause: error },
      );
    }
    const size = Buffer.byteLength(payload);
    if (size > this.maxMessageBytes) {
      this.metrics.countPublishFailed();
      throw new PropagatorPublishError(
        `The message has ${size} bytes, over maxMessageBytes (${this.maxMessageBytes})`,
        channel,
      );
    }
    try {
      await this.redis.publish(channel, payload);
    } catch (error) {
      this.metrics.countPublishFailed();
      throw new PropagatorPublishError(
        `Could not publish on ${channel}: ${(error as Error).message}`,
        channel,
        { cause: error },
      );
    }
    this.metrics.countPublished();
  }

  /**
   * Consumes one channel for the lifetime of the module. Each message is
   * handled in its own try/catch, so no message can end the subscription.
   */
  private consume<T>(
    channel: string,
    parse: (raw: Buffer, maxBytes: number) => ParseResult<T>,
    deliver: (message: T) => void,
  ): void {
    const subscription = this.redis.fromEvent(channel).subscribe((raw) => {
      try {
        this.metrics.countReceived();
        const parsed = parse(raw, this.maxMessageBytes);
        if (!parsed.ok) {
          this.metrics.countDropped(parsed.reason);
          this.rateLimited.warn(
            `dropped:${channel}`,
            `Dropped a message on ${channel}: ${parsed.error}`,
          );
          return;
        }
        deliver(parsed.message);
      } catch (error) {
        this.metrics.countDeliveryFailed();
        this.rateLimited.error(
          `delivery:${channel}`,
          `Could not deliver a message of ${channel}: ${(error as Error).message}`,
        );
      }
    });
    this.subscription.add(subscription);
  }

  private deliverToUser(message: ParsedSendToUser): void {
    const { userId, socketId, namespace, event, data } = message;
    for (const socket of this.socketState.get(userId)) {
      if (socket.nsp.name === namespace && socket.id !== socketId) {
        socket.emit(event, data);
      }
    }
  }

  private deliverToAll({ namespace, event, data }: ParsedBroadcast): void {
    for (const nsp of this.socketState.namespaces(namespace)) {
      nsp.local.emit(event, data);
    }
  }

  private deliverToAuthenticated({
    namespace,
    event,
    data,
  }: ParsedBroadcast): void {
    for (const nsp of this.socketState.namespaces(namespace)) {
      nsp.local.to(AUTHENTICATED_ROOM).emit(event, data);
    }
  }
}
