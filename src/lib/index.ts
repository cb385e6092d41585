// The public API of the library: nothing else is supported for import.
export { initAdapters } from './adapter/init-adapters';
export { SocketStateAdapter } from './adapter/socket-state.adapter';
export { UnauthorizedError } from './adapter/unauthorized.error';
export { TOKEN_VERIFIER } from './auth/auth.constants';
export type { AuthenticatedUser } from './auth/authenticated-user.interface';
export { JwtTokenVerifier } from './auth/jwt-token.verifier';
export type {
  JwtAlgorithm,
  JwtVerifierOptions,
} from './auth/jwt-verifier-options.interface';
export {
  TokenVerificationError,
  type UnauthorizedCode,
} from './auth/token-verification.error';
export type { TokenVerifier } from './auth/token-verifier.interface';
export { RedisService } from './redis/redis.service';
export {
  PropagatorMetrics,
  type PropagatorStats,
} from './redis-propagator/propagator-metrics';
export type {
  BroadcastMessage,
  SendToUserMessage,
} from './redis-propagator/propagator-message.interface';
export {
  MAX_EVENT_LENGTH,
  RESERVED_EVENTS,
} from './redis-propagator/propagator-message.parser';
export { PropagatorPublishError } from './redis-propagator/propagator-publish.error';
export {
  REDIS_SOCKET_EVENT_EMIT_ALL_NAME,
  REDIS_SOCKET_EVENT_EMIT_AUTHENTICATED_NAME,
  REDIS_SOCKET_EVENT_SEND_NAME,
  propagatorChannels,
  type PropagatorChannels,
} from './redis-propagator/redis-propagator.constants';
export {
  RedisPropagatorInterceptor,
  isWsResponse,
} from './redis-propagator/redis-propagator.interceptor';
export { RedisPropagatorModule } from './redis-propagator/redis-propagator.module';
export { RedisPropagatorService } from './redis-propagator/redis-propagator.service';
export { REDIS_PROPAGATOR_OPTIONS } from './redis-propagator.module-definition';
export {
  DEFAULT_PROPAGATOR_OPTIONS,
  type RedisPropagatorModuleOptions,
} from './redis-propagator.options';
export { SocketStateService } from './socket-state/socket-state.service';
export {
  getSocketUser,
  type PropagatorSocketData,
} from './socket-state/socket-user';
