import type { INestApplication } from '@nestjs/common';
import type { ServerOptions } from 'socket.io';
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
  const adapter = new SocketStateAdapter(app, serverOptions);
  app.useWebSocketAdapter(adapter);
  return adapter;
}
