import {
  Controller,
  Get,
  Header,
  Inject,
  type OnModuleInit,
  Req,
} from '@nestjs/common';
import type { Request } from 'express';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { PropagatorMetricsCollector } from '../../lib';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.constants';
import { BearerKey } from '../shared/bearer-key';

/**
 * GET /metrics: the propagator's metrics and Node.js' own (event-loop lag,
 * heap, CPU, handles), in Prometheus' text format. With METRICS_TOKEN set it
 * asks for `Authorization: Bearer <METRICS_TOKEN>`; without it, it exists
 * only outside production.
 */
@Controller('metrics')
export class MetricsController implements OnModuleInit {
  private readonly registry = new Registry();
  private readonly key?: BearerKey;

  constructor(
    private readonly collector: PropagatorMetricsCollector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    if (config.metricsToken !== undefined) {
      this.key = new BearerKey(config.metricsToken, 'the metrics token');
    }
  }

  onModuleInit(): void {
    collectDefaultMetrics({ register: this.registry });
    this.collector.registerWith(this.registry);
  }

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(@Req() request: Request): Promise<string> {
    this.key?.check(request.headers.authorization);
    return this.registry.metrics();
  }
}
