import { Logger, Module } from '@nestjs/common';
import { REDIS_PROPAGATOR_OPTIONS } from '../redis-propagator.module-definition';
import type { RedisPropagatorModuleOptions } from '../redis-propagator.options';
import { InProcessTransport } from './in-process.transport';
import { IoRedisTransport } from './ioredis.transport';
import type { PubSubTransport } from './pubsub-transport.interface';
import { PUBSUB_TRANSPORT } from './redis.constants';
import { RedisService } from './redis.service';

/** Creates the transport that the options ask for. */
export function createPubSubTransport(
  options: RedisPropagatorModuleOptions,
): PubSubTransport {
  const { redisUrl, redisOptions } = options;
  if (redisUrl === undefined && redisOptions === undefined) {
    new Logger('RedisService').warn(
      'No Redis configured: using the in-process transport, which reaches ' +
        'this instance only. Set redisUrl to run more than one instance.',
    );
    return new InProcessTransport();
  }
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new TypeError(
      `RedisPropagatorModule: "redisUrl" must start with redis:// or rediss://`,
    );
  }
  return new IoRedisTransport(redisUrl, redisOptions);
}

/**
 * Provides {@link RedisService}. It reads its options from the global
 * `RedisPropagatorModule.forRoot()`, which imports it.
 */
@Module({
  providers: [
    {
      provide: PUBSUB_TRANSPORT,
      useFactory: createPubSubTransport,
      inject: [REDIS_PROPAGATOR_OPTIONS],
    },
    RedisService,
  ],
  exports: [RedisService],
})
export class RedisModule {}
