import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { RedisPropagatorModuleOptions } from '../options/propagator-options.interface';

/** Injection token of the options as given to `forRoot` or `forRootAsync`. */
export const RAW_PROPAGATOR_OPTIONS = Symbol('redis-propagator:options');

export const { ConfigurableModuleClass, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<RedisPropagatorModuleOptions>({
    moduleName: 'RedisPropagator',
    optionsInjectionToken: RAW_PROPAGATOR_OPTIONS,
  })
    .setClassMethodName('forRoot')
    // Global: there is one propagator per app, and its services are injected
    // in the app's own modules.
    .setExtras({}, (definition) => ({ ...definition, global: true }))
    .build();

/** Options of `RedisPropagatorModule.forRootAsync()`: `useFactory`, `inject`, `imports`, ... */
export type RedisPropagatorModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
