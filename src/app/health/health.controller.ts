import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { RedisService } from '../../lib';

/** Body of GET /health. */
export interface HealthDto {
  status: 'ok' | 'unavailable';
  transport: 'redis' | 'in-process';
}

@Controller('health')
export class HealthController {
  constructor(private readonly redis: RedisService) {}

  /** 200 when the transport is connected and subscribed, 503 otherwise. */
  @Get()
  check(): HealthDto {
    const transport = this.redis.transportKind;
    if (!this.redis.isReady()) {
      throw new ServiceUnavailableException({
        status: 'unavailable',
        transport,
      } satisfies HealthDto);
    }
    return { status: 'ok', transport };
  }
}
