import { Logger, Module } from '@nestjs/common';
import {
  PROPAGATOR_OPTIONS,
  resolvePropagatorOptions,
  type ResolvedPropagatorOptions,
} from '../options/resolved-propagator-options';
import { PropagatorMetricsCollector } from './propagator-metrics.collector';
import { PUBSUB_TRANSPORT } from '../redis/redis.constants';
import { RedisModule } from '../redis/redis.module';
import { RateLimitedLogger } from '../shared/rate-limited-logger';
import { SocketStateModule } from '../socket-state/socket-state.module';
import { LocalDelivery } from './local-delivery';
import { PropagatorConsumer } from './propagator-consumer';
import { PropagatorMetrics } from './propagator-metrics';
import {
  ConfigurableModuleClass,
  RAW_PROPAGATOR_OPTIONS,
} from './redis-propagator.module-definition';
import { RedisPropagatorInterceptor } from './redis-propagator.interceptor';
import { RedisPropagatorService } from './redis-propagator.service';
import { SocketQuota } from './socket-quota';
import { RedisService } from '../redis/redis.service';
import { RoomRouter } from '../rooms/room-router';

/**
 * The entry point of the library. Import it once, in the root module:
 *
 * ```ts
 * RedisPropagatorModule.forRoot({ redisUrl, jwt: { secret } })
 * ```
 *
 * It is global: RedisPropagatorService, RedisPropagatorInterceptor,
 * SocketStateService and PropagatorMetricsCollector can be injected
 * anywhere. Then call
 * `initAdapters(app)` before `app.listen()`.
 */
@Module({
  imports: [RedisModule, SocketStateModule],
  providers: [
    {
      provide: PROPAGATOR_OPTIONS,
      useFactory: resolvePropagatorOptions,
      inject: [RAW_PROPAGATOR_OPTIONS],
    },
    {
      provide: PUBSUB_TRANSPORT,
      useFactory: (options: ResolvedPropagatorOptions) => options.transport,
      inject: [PROPAGATOR_OPTIONS],
    },
    { provide: PropagatorMetrics, useFactory: () => new PropagatorMetrics() },
    LocalDelivery,
    {
      provide: PropagatorConsumer,
      useFactory: (
        options: ResolvedPropagatorOptions,
        delivery: LocalDelivery,
        metrics: PropagatorMetrics,
      ) =>
        new PropagatorConsumer(
          options.channels,
          delivery,
          options.maxMessageBytes,
          metrics,
          new RateLimitedLogger(new Logger(PropagatorConsumer.name)),
          options.origin,
        ),
      inject: [PROPAGATOR_OPTIONS, LocalDelivery, PropagatorMetrics],
    },
    {
      provide: RoomRouter,
      useFactory: (
        options: ResolvedPropagatorOptions,
        redis: RedisService,
        consumer: PropagatorConsumer,
        metrics: PropagatorMetrics,
      ) =>
        new RoomRouter(redis, {
          channels: options.channels,
          origin: options.origin,
          maxRoomsPerSocket: options.maxRoomsPerSocket,
          log: new RateLimitedLogger(new Logger(RoomRouter.name)),
          onMessage: (channel, raw) => consumer.consume(channel, raw),
          onDropped: () => metrics.countDropped('room', 'invalid'),
          onRoomRefused: () => metrics.countEventRefused('too_many_rooms'),
          onDelivered: (kind, sockets) => metrics.countDelivered(kind, sockets),
        }),
      inject: [
        PROPAGATOR_OPTIONS,
        RedisService,
        PropagatorConsumer,
        PropagatorMetrics,
      ],
    },
    SocketQuota,
    RedisPropagatorService,
    RedisPropagatorInterceptor,
    PropagatorMetricsCollector,
  ],
  exports: [
    SocketQuota,
    PROPAGATOR_OPTIONS,
    PUBSUB_TRANSPORT,
    PropagatorMetrics,
    SocketStateModule,
    RoomRouter,
    RedisPropagatorService,
    RedisPropagatorInterceptor,
    PropagatorMetricsCollector,
  ],
})
export class RedisPropagatorModule extends ConfigurableModuleClass {}
