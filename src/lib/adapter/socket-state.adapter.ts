import { type INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';
import {
  PROPAGATOR_OPTIONS,
  type ResolvedPropagatorOptions,
} from '../options/resolved-propagator-options';
import { SocketStateService } from '../socket-state/socket-state.service';
import {
  getSocketUser,
  type PropagatorSocketData,
} from '../socket-state/socket-user';
import { HandshakeAuthenticator } from './handshake-authenticator';

// setTimeout fires at once for delays above 2^31 - 1 ms (about 24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The Socket.IO adapter of this library. On every server it creates, in every
 * namespace (those created later included):
 * - the handshake is authenticated before the connection is accepted;
 * - each authenticated socket is registered once in `SocketStateService`,
 *   and is disconnected when its token expires.
 *
 * `initAdapters(app)` installs it. To extend it, subclass it and install
 * your subclass with `app.useWebSocketAdapter(new MyAdapter(app))`; call
 * `super.createIOServer()` from an override, which is where servers are made
 * (not `create`), so a gateway with a namespace gets a namespace of the one
 * server instead of a second server.
 */
export class SocketStateAdapter extends IoAdapter {
  private readonly stateLogger = new Logger(SocketStateAdapter.name);
  private readonly boundNamespaces = new WeakSet<Namespace>();
  private readonly socketState: SocketStateService;
  private readonly authenticator: HandshakeAuthenticator;

  /**
   * @param app An application that imports `RedisPropagatorModule`.
   * @param serverOptions Socket.IO server options (CORS,
   *   `maxHttpBufferSize`, ...) applied under each gateway's own options.
   */
  constructor(
    app: INestApplicationContext,
    private readonly serverOptions: Partial<ServerOptions> = {},
  ) {
    super(app);
    const options = app.get<ResolvedPropagatorOptions>(PROPAGATOR_OPTIONS);
    this.socketState = app.get(SocketStateService);
    this.authenticator = new HandshakeAuthenticator(
      options.verifier,
      options.allowAnonymous,
    );
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
