import { type INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';
import { AUTHENTICATED_ROOM } from '../redis-propagator/redis-propagator.constants';
import { SocketStateService } from '../socket-state/socket-state.service';
import {
  getSocketUser,
  type PropagatorSocketData,
} from '../socket-state/socket-user';
import type { HandshakeAuthenticator } from './handshake-authenticator';

// setTimeout fires at once for delays above 2^31 - 1 ms (about 24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The Socket.IO adapter of this library. On every server it creates, in every
 * namespace (those created later included):
 * - the handshake is authenticated before the connection is accepted;
 * - each authenticated socket is registered once in {@link SocketStateService},
 *   joins the authenticated room, and is disconnected when its token expires.
 *
 * It overrides `createIOServer` (not `create`), so a gateway with a namespace
 * gets a namespace of the one server instead of a second server.
 */
export class SocketStateAdapter extends IoAdapter {
  private readonly stateLogger = new Logger(SocketStateAdapter.name);
  private readonly boundNamespaces = new WeakSet<Namespace>();

  constructor(
    app: INestApplicationContext,
    private readonly socketState: SocketStateService,
    private readonly authenticator: HandshakeAuthenticator,
    private readonly serverOptions: Partial<ServerOptions> = {},
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const merged = { ...this.serverOptions, ...options } as ServerOptions;
    const server = super.createIOServer(port, merged) as Server;
    this.socketState.attachServer(server);
    this.bindNamespace(server.sockets);
    server.on('new_namespace', (nsp: Namespace) => this.bindNamespace(nsp));
    return server;
  }

  override async close(server: Server): Promise<void> {
    this.socketState.detachServer(server);
    await super.close(server);
  }

  private bindNamespace(nsp: Namespace): void {
    if (this.boundNamespaces.has(nsp)) {
      return;
    }
    this.boundNamespaces.add(nsp);
    nsp.use((socket, next) => {
      this.authenticator.authenticate(socket.handshake).then(
        (user) => {
          (socket.data as PropagatorSocketData).user = user;
          next();
        },
        (error: Error) => next(error),
      );
    });
    // One listener per namespace, however many gateways share it, so each
    // socket is registered exactly once.
    nsp.on('connection', (socket: Socket) => this.register(socket));
  }

  private register(socket: Socket): void {
    const user = getSocketUser(socket);
    if (!user) {
      return;
    }
    this.socketState.add(user.userId, socket);
    // join() returns a promise only with an asynchronous Socket.IO adapter.
    Promise.resolve(socket.join(AUTHENTICATED_ROOM)).catch((error: Error) =>
      this.stateLogger.error(
        `Socket ${socket.id} could not join: ${error.message}`,
      ),
    );
    const expiry = this.scheduleExpiry(socket, user.expiresAt);
    socket.once('disconnect', () => {
      clearTimeout(expiry.timer);
      this.socketState.remove(user.userId, socket);
    });
  }

  private scheduleExpiry(
    socket: Socket,
    expiresAt: number | undefined,
  ): { timer?: NodeJS.Timeout } {
    const expiry: { timer?: NodeJS.Timeout } = {};
    if (expiresAt === undefined) {
      return expiry;
    }
    const arm = () => {
      const remaining = expiresAt - Date.now();
      if (remaining <= 0) {
        this.stateLogger.debug(
          `Socket ${socket.id}: token expired, disconnecting`,
        );
        socket.disconnect();
        return;
      }
      expiry.timer = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
      expiry.timer.unref();
    };
    arm();
    return expiry;
  }
}
