import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { RedisModule } from '../redis/redis.module';
import { ConfigurableModuleClass } from '../redis-propagator.module-definition';
import { SocketStateModule } from '../socket-state/socket-state.module';
import { PropagatorMetrics } from './propagator-metrics';
import { RedisPropagatorInterceptor } from './redis-propagator.interceptor';
import { RedisPropagatorService } from './redis-propagator.service';

/**
 * The entry point of the library. Import it once, in the root module:
 *
 * ```ts
 * RedisPropagatorModule.forRoot({ redisUrl, jwt: { secret } })
 * ```
 *
 * It is global: RedisService, SocketStateService, RedisPropagatorService and
 * RedisPropagatorInterceptor can be injected anywhere. Then call
 * `initAdapters(app)` before `app.listen()`.
 */
@Module({
  imports: [RedisModule, SocketStateModule, AuthModule],
  providers: [
    RedisPropagatorService,
    RedisPropagatorInterceptor,
    PropagatorMetrics,
  ],
  exports: [
    RedisModule,
    SocketStateModule,
    AuthModule,
    RedisPropagatorService,
    RedisPropagatorInterceptor,
    PropagatorMetrics,
  ],
})
export class RedisPropagatorModule extends ConfigurableModuleClass {}
