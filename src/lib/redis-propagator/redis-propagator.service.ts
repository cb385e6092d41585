import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { Subscription } from 'rxjs';
import type { PropagatorChannels } from '../contract/propagator-channels';
import type {
  BroadcastMessage,
  SendToUserMessage,
} from '../contract/propagator-message.interface';
import {
  PROPAGATOR_OPTIONS,
  type ResolvedPropagatorOptions,
} from '../options/resolved-propagator-options';
import { RedisService } from '../redis/redis.service';
import { EventStreamRegistry } from '../socket-state/event-stream-registry';
import { LocalDelivery } from './local-delivery';
import { PropagatorConsumer } from './propagator-consumer';
import {
  PropagatorMetrics,
  type PropagatorMetricsSnapshot,
} from './propagator-metrics';
import { PropagatorPublisher } from './propagator-publisher';
import { RoomRouter } from '../rooms/room-router';

/**
 * Sends events to sockets on every instance. This instance's own sockets get
 * a message at once; the others get it through the transport: what goes to a
 * user through the user's own channel, which only the instances holding that
 * user subscribe to, and broadcasts through the contract channels, which
 * every instance consumes.
 */
@Injectable()
export class RedisPropagatorService implements OnModuleInit, OnModuleDestroy {
  /** The channel names in use, with the configured prefix. */
  readonly channels: PropagatorChannels;
  private readonly logger = new Logger(RedisPropagatorService.name);
  private readonly publisher: PropagatorPublisher;
  private readonly readyTimeoutMs: number;
  private readonly subscription = new Subscription();

  constructor(
    private readonly redis: RedisService,
    private readonly metrics: PropagatorMetrics,
    private readonly consumer: PropagatorConsumer,
    private readonly router: RoomRouter,
    private readonly streams: EventStreamRegistry,
    delivery: LocalDelivery,
    @Inject(PROPAGATOR_OPTIONS) options: ResolvedPropagatorOptions,
  ) {
    this.channels = options.channels;
    this.readyTimeoutMs = options.readyTimeoutMs;
    this.publisher = new PropagatorPublisher(
      redis,
      this.channels,
      options,
      metrics,
      { origin: options.origin, local: delivery },
    );
  }

  async onModuleInit(): Promise<void> {
    for (const channel of this.consumer.channels) {
      this.subscription.add(
        this.redis
          .fromEvent(channel)
          .subscribe((raw) => this.consumer.consume(channel, raw)),
      );
    }
    if (!(await this.redis.waitUntilReady(this.readyTimeoutMs))) {
      this.logger.warn(
        `The ${this.redis.transportKind} transport is not ready after ` +
          `${this.readyTimeoutMs} ms; starting anyway. Events published ` +
          'before it connects are lost.',
      );
    }
  }

  onModuleDestroy(): void {
    this.subscription.unsubscribe();
  }

  /**
   * Sends an event to every socket of a user, on every instance, in the
   * message's namespace (default `/`), except the socket `socketId`.
   * Resolves with the number of instances that hold the user: 0 means the
   * user is connected nowhere. Rejects with an `InvalidMessageError` for a
   * message that breaks the wire contract, and a `PropagatorPublishError`
   * when the transport refuses it.
   */
  propagateEvent(message: SendToUserMessage): Promise<number> {
    return this.publisher.sendToUser(message);
  }

  /**
   * Sends an event to every socket of a namespace on every instance,
   * anonymous ones included. Resolves with the number of instances reached.
   */
  emitToAll(message: BroadcastMessage): Promise<number> {
    return this.publisher.emitToAll(message);
  }

  /**
   * Sends an event to every authenticated socket of a namespace on every
   * instance. Resolves with the number of instances reached.
   */
  emitToAuthenticated(message: BroadcastMessage): Promise<number> {
    return this.publisher.emitToAuthenticated(message);
  }

  /**
   * Sends an event to every socket in a room of a namespace, on every
   * instance, as another service would through the room's channel.
   * Resolves with the number of instances that hold the room. Inside a
   * gateway, `server.to(room).emit()` does the same.
   */
  emitToRoom(room: string, message: BroadcastMessage): Promise<number> {
    return this.publisher.emitToRoom(room, message);
  }

  /**
   * True when the transport is connected and the three contract channels
   * are subscribed: what a readiness probe should report.
   */
  isReady(): boolean {
    return this.redis.isReady();
  }

  /** `redis`, `in-process`, or the `kind` of a transport of your own. */
  get transportKind(): string {
    return this.redis.transportKind;
  }

  /** What this instance has published, received and dropped since it started. */
  getMetrics(): PropagatorMetricsSnapshot {
    return Object.freeze({
      ...this.metrics.snapshot(),
      userChannels: this.router.userChannels,
      eventStreams: this.streams.size,
    });
  }
}
