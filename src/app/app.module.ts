import { type DynamicModule, Module } from '@nestjs/common';
import {
  EventStreamModule,
  RedisPropagatorModule,
  type RedisPropagatorModuleOptions,
} from '../lib';
import { ChatGateway } from './chat/chat.gateway';
import type { AppConfig } from './config/app-config';
import { APP_CONFIG } from './config/app-config.constants';
import { DemoController } from './demo/demo.controller';
import { DevPushController } from './dev-push/dev-push.controller';
import { DevTokenController } from './dev-token/dev-token.controller';
import { EventStreamController } from './event-stream/event-stream.controller';
import { EventsGateway } from './events/events.gateway';
import { HealthController } from './health/health.controller';
import { MetricsController } from './metrics/metrics.controller';
import { NotificationsGateway } from './notifications/notifications.gateway';
import { PushController } from './push/push.controller';
import { PushApiKeyGuard } from './push/push-api-key.guard';
import { PushService } from './push/push.service';
import { ShutdownState } from './shutdown/shutdown-state';

/** The reference app. It uses the library only through its public index. */
@Module({})
export class AppModule {
  /**
   * @param library Library options laid over those read from the config: a
   *   test gives a `transport` of its own here.
   */
  static forRoot(
    config: AppConfig,
    library: RedisPropagatorModuleOptions = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RedisPropagatorModule.forRoot({
          redisUrl: config.redisUrl,
          redisCluster: config.redisClusterNodes && {
            nodes: config.redisClusterNodes,
          },
          channelPrefix: config.channelPrefix,
          jwt: config.jwt,
          allowAnonymous: config.allowAnonymous,
          maxEventBytes: config.maxPayloadBytes,
          maxBufferedBytes: config.maxBufferedBytes,
          rateLimit: config.rateLimit,
          maxSocketsPerUser: config.maxSocketsPerUser,
          maxRoomsPerSocket: config.maxRoomsPerSocket,
          allowedOrigins:
            config.corsOrigins.length > 0 ? config.corsOrigins : undefined,
          connectionRateLimit: config.connectionRateLimit,
          trustedProxies: config.trustedProxies,
          socketLeaseMs: config.socketLeaseMs,
          ...library,
        }),
        EventStreamModule,
      ],
      controllers: [
        HealthController,
        DemoController,
        EventStreamController,
        ...(config.isDevTokenEndpointEnabled ? [DevTokenController] : []),
        ...(config.isDevPushEndpointEnabled ? [DevPushController] : []),
        ...(config.pushApiKey !== undefined ? [PushController] : []),
        ...(config.isMetricsEndpointEnabled ? [MetricsController] : []),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        EventsGateway,
        ChatGateway,
        NotificationsGateway,
        PushService,
        PushApiKeyGuard,
        ShutdownState,
      ],
    };
  }
}
