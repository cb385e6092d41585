import { type INestApplication, Logger } from '@nestjs/common';
import { SocketStateService } from '../../lib';
import type { AppConfig } from '../config/app-config';
import { ShutdownState } from './shutdown-state';

/** Sent to every socket when its instance shuts down, before it is let go. */
export const SERVER_SHUTDOWN_EVENT = 'server_shutdown';

/**
 * Stops the app the way a rolling deploy wants it on SIGTERM (SIGINT too,
 * without the delay):
 * 1. /health answers 503 at once, so the load balancer sends no one new;
 * 2. after SHUTDOWN_DELAY_MS, every socket gets `server_shutdown` and its
 *    connection is closed, which socket.io-client answers by reconnecting,
 *    to another instance;
 * 3. the app closes: no new connections, publishes already accepted are
 *    finished, Redis is quit;
 * 4. the process exits 0, or 1 if all this took over SHUTDOWN_GRACE_MS.
 */
export function installGracefulShutdown(
  app: INestApplication,
  config: AppConfig,
): void {
  const logger = new Logger('Shutdown');
  let isStopping = false;
  const stop = async (signal: NodeJS.Signals, delayMs: number) => {
    if (isStopping) {
      return;
    }
    isStopping = true;
    const startedAt = Date.now();
    logger.log(`${signal}: draining; /health answers 503 from now on`);
    setTimeout(() => {
      logger.error(
        `Shutdown took over ${config.shutdownGraceMs} ms; exiting anyway`,
      );
      process.exit(1);
    }, config.shutdownGraceMs).unref();
    app.get(ShutdownState).startDraining();
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    for (const nsp of app.get(SocketStateService).allNamespaces()) {
      nsp.local.emit(SERVER_SHUTDOWN_EVENT, {
        reason: 'the instance is shutting down',
      });
      for (const socket of nsp.sockets.values()) {
        // Closing the connection, not a Socket.IO disconnect, so that the
        // client reconnects by itself (to another instance).
        socket.conn.close();
      }
    }
    await app.close();
    logger.log(`Stopped in ${Date.now() - startedAt} ms`);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM', config.shutdownDelayMs));
  process.once('SIGINT', () => void stop('SIGINT', 0));
}
