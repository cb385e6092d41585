import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RedisPropagatorModuleOptions } from './redis-propagator.options';

/** Injection token of the {@link RedisPropagatorModuleOptions}. */
export const REDIS_PROPAGATOR_OPTIONS = Symbol('redis-propagator:options');

export const { ConfigurableModuleClass, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<RedisPropagatorModuleOptions>({
    moduleName: 'RedisPropagator',
    optionsInjectionToken: REDIS_PROPAGATOR_OPTIONS,
  })
    .setClassMethodName('forRoot')
    // Global, and exporting its options: the feature modules it imports
    // (RedisModule, AuthModule) read them, and there is one propagator per app.
    .setExtras({}, (definition) => ({
      ...definition,
      global: true,
      exports: [...(definition.exports ?? []), REDIS_PROPAGATOR_OPTIONS],
    }))
    .build();
