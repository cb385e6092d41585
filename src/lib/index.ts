// The public API of the library: nothing else is supported for import.

// The module, the adapter, and what gateways and services use.
export { RedisPropagatorModule } from './redis-propagator/redis-propagator.module';
export type { RedisPropagatorModuleAsyncOptions } from './redis-propagator/redis-propagator.module-definition';
export type { RedisPropagatorModuleOptions } from './options/propagator-options.interface';
export { initAdapters } from './adapter/init-adapters';
export { SocketStateAdapter } from './adapter/socket-state.adapter';
export { RedisPropagatorService } from './redis-propagator/redis-propagator.service';
export { RedisPropagatorInterceptor } from './redis-propagator/redis-propagator.interceptor';
export { SocketStateService } from './socket-state/socket-state.service';
export { getSocketUser } from './socket-state/socket-user';
export type { PropagatorMetricsSnapshot } from './redis-propagator/propagator-metrics';

// Metrics for Prometheus (prom-client or any other client).
export {
  PropagatorMetricsCollector,
  type MetricFamily,
  type MetricSample,
  type MetricRegistry,
} from './redis-propagator/propagator-metrics.collector';

// Listen-only clients (Server-Sent Events).
export { EventStreamModule } from './event-stream/event-stream.module';
export {
  EventStreamService,
  type EventStream,
  type EventStreamRequest,
  type EventStreamWriter,
} from './event-stream/event-stream.service';

// The wire contract: channels, messages, and why one is refused.
export {
  propagatorChannels,
  type PropagatorChannels,
} from './contract/propagator-channels';
export type {
  BroadcastMessage,
  SendToUserMessage,
} from './contract/propagator-message.interface';
export {
  roomNameProblem,
  validatePropagatorMessage,
} from './contract/propagator-message.parser';
export {
  InvalidMessageError,
  type DropReason,
} from './contract/invalid-message.error';
export { PropagatorPublishError } from './redis-propagator/propagator-publish.error';

// Authentication: the default JWT verifier, or one of your own.
export type { AuthenticatedUser } from './auth/authenticated-user.interface';
export type { TokenVerifier } from './auth/token-verifier.interface';
export { JwtTokenVerifier } from './auth/jwt-token.verifier';
export type {
  JwtAlgorithm,
  JwtVerifierOptions,
} from './auth/jwt-verifier-options.interface';
export {
  TokenVerificationError,
  type UnauthorizedCode,
} from './auth/token-verification.error';

// A transport of your own (the `transport` option).
export type {
  CountHold,
  HeldCount,
  PubSubTransport,
  TransportMessageHandler,
} from './redis/pubsub-transport.interface';
