import type { INestApplication } from '@nestjs/common';
import type { ServerOptions } from 'socket.io';
import { TOKEN_VERIFIER } from '../auth/auth.constants';
import type { TokenVerifier } from '../auth/token-verifier.interface';
import { REDIS_PROPAGATOR_OPTIONS } from '../redis-propagator.module-definition';
import {
  DEFAULT_PROPAGATOR_OPTIONS,
  type RedisPropagatorModuleOptions,
} from '../redis-propagator.options';
import { SocketStateService } from '../socket-state/socket-state.service';
import { HandshakeAuthenticator } from './handshake-authenticator';
import { SocketStateAdapter } from './socket-state.adapter';

/**
 * Installs the {@link SocketStateAdapter} on an application that imports
 * `RedisPropagatorModule.forRoot()`. Call it before `app.listen()`.
 *
 * @param serverOptions Socket.IO server options (CORS, `maxHttpBufferSize`,
 *   ...) applied under each gateway's own options.
 */
export function initAdapters(
  app: INestApplication,
  serverOptions: Partial<ServerOptions> = {},
): SocketStateAdapter {
  const options = app.get<RedisPropagatorModuleOptions>(
    REDIS_PROPAGATOR_OPTIONS,
  );
  const authenticator = new HandshakeAuthenticator(
    app.get<TokenVerifier>(TOKEN_VERIFIER),
    options.allowAnonymous ?? DEFAULT_PROPAGATOR_OPTIONS.allowAnonymous,
  );
  const adapter = new SocketStateAdapter(
    app,
    app.get(SocketStateService),
    authenticator,
    serverOptions,
  );
  app.useWebSocketAdapter(adapter);
  return adapter;
}
