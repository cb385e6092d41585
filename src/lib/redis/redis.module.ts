import { Module } from '@nestjs/common';
import { RedisService } from './redis.service';

/**
 * Provides {@link RedisService}. The transport behind it, under
 * `PUBSUB_TRANSPORT`, comes from the global `RedisPropagatorModule`.
 */
@Module({
  providers: [RedisService],
  exports: [RedisService],
})
export class RedisModule {}
