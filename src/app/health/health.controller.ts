import {
  Controller,
  Get,
  Inject,
  ServiceUnavailableException,
} from '@nestjs/common';
import { RedisPropagatorService } from '../../lib';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.constants';

/** Body of GET /health. */
export interface HealthDto {
  status: 'ok' | 'unavailable';
  /** `redis`, or `in-process` with no REDIS_URL. */
  transport: string;
  /** INSTANCE_ID of the instance that answered. */
  instance: string;
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly propagator: RedisPropagatorService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 200 when the transport is connected and subscribed, 503 otherwise. */
  @Get()
  check(): HealthDto {
    const health: HealthDto = {
      status: this.propagator.isReady() ? 'ok' : 'unavailable',
      transport: this.propagator.transportKind,
      instance: this.config.instanceId,
    };
    if (health.status !== 'ok') {
      throw new ServiceUnavailableException(health);
    }
    return health;
  }
}
