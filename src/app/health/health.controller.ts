import {
  Controller,
  Get,
  Inject,
  ServiceUnavailableException,
} from '@nestjs/common';
import { RedisPropagatorService } from '../../lib';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.constants';
import { ShutdownState } from '../shutdown/shutdown-state';

/** Body of GET /health. */
export interface HealthDto {
  /** `draining` once the instance was told to stop. */
  status: 'ok' | 'unavailable' | 'draining';
  /** `redis`, or `in-process` with no REDIS_URL. */
  transport: string;
  /** INSTANCE_ID of the instance that answered. */
  instance: string;
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly propagator: RedisPropagatorService,
    private readonly shutdown: ShutdownState,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * 200 when the transport is connected and subscribed, 503 otherwise, and
   * 503 from the moment the instance is told to stop.
   */
  @Get()
  check(): HealthDto {
    const health: HealthDto = {
      status: this.shutdown.isDraining
        ? 'draining'
        : this.propagator.isReady()
          ? 'ok'
          : 'unavailable',
      transport: this.propagator.transportKind,
      instance: this.config.instanceId,
    };
    if (health.status !== 'ok') {
      throw new ServiceUnavailableException(health);
    }
    return health;
  }
}
