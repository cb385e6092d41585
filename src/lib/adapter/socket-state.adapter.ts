import type { IncomingMessage } from 'node:http';
import { type INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';
import {
  PROPAGATOR_OPTIONS,
  type ResolvedPropagatorOptions,
} from '../options/resolved-propagator-options';
import { PropagatorMetrics } from '../redis-propagator/propagator-metrics';
import { SocketQuota } from '../redis-propagator/socket-quota';
import { RoomAdapter, roomAdapterFor } from '../rooms/room-adapter';
import { RoomRouter } from '../rooms/room-router';
import { RateLimitedLogger } from '../shared/rate-limited-logger';
import {
  AUTHENTICATED_ROOM,
  SocketStateService,
  userRoom,
} from '../socket-state/socket-state.service';
import {
  getSocketUser,
  type PropagatorSocketData,
} from '../socket-state/socket-user';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { HandshakeAuthenticator } from './handshake-authenticator';
import { MessageRouter } from './message-router';
import { ConnectionAdmission } from './connection-admission';
import { type InboundConnection, InboundLimits } from './inbound-limits';
import { type GuardedConnection, SlowClientGuard } from './slow-client-guard';
import { TokenLifetime } from './token-lifetime';

/**
 * The Socket.IO adapter of this library. On every server it creates, in every
 * namespace (those created later included):
 * - the handshake is authenticated before the connection is accepted, and
 *   refused past `maxSocketsPerUser` (counted across instances);
 * - this instance subscribes to the user's own channel before the connection
 *   is accepted, so a client that sees `connect` is reachable by a push;
 * - each authenticated socket is registered once in `SocketStateService`,
 *   and, when its token expires, gets `token_expired` and is disconnected,
 *   unless it renewed the token (`renew_token` with an ack) in time;
 * - each event a client sends is checked against `maxEventBytes` and the
 *   rate limit before any handler sees it;
 * - a connection that stops reading is closed once more than
 *   `maxBufferedBytes` wait unsent for it.
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
  private readonly routers = new WeakMap<Socket, MessageRouter>();
  private readonly socketState: SocketStateService;
  private readonly quota: SocketQuota;
  private readonly authenticator: HandshakeAuthenticator;
  private readonly tokenLifetime: TokenLifetime;
  private readonly slowClients: SlowClientGuard;
  private readonly metrics: PropagatorMetrics;
  private readonly inbound: InboundLimits;
  private readonly maxEventBytes: number;
  private readonly admission: ConnectionAdmission;
  private readonly allowedOrigins?: ReadonlySet<string>;
  private readonly roomAdapter: ServerOptions['adapter'];
  private readonly router: RoomRouter;

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
    this.router = app.get(RoomRouter);
    this.roomAdapter = roomAdapterFor(this.router) as ServerOptions['adapter'];
    this.quota = app.get(SocketQuota);
    this.authenticator = new HandshakeAuthenticator(
      options.verifier,
      options.allowAnonymous,
    );
    this.tokenLifetime = new TokenLifetime(
      this.authenticator,
      this.stateLogger,
    );
    const metrics = app.get(PropagatorMetrics);
    const limitsLogger = new RateLimitedLogger(this.stateLogger);
    this.metrics = metrics;
    this.slowClients = new SlowClientGuard(
      options.maxBufferedBytes,
      () => metrics.countDisconnect('slow_client'),
      limitsLogger,
    );
    this.maxEventBytes = options.maxEventBytes;
    this.allowedOrigins = options.allowedOrigins;
    this.admission = new ConnectionAdmission(
      options.allowedOrigins,
      options.connectionRateLimit,
      options.trustedProxies,
      metrics,
      limitsLogger,
    );
    this.inbound = new InboundLimits(
      options.maxEventBytes,
      options.rateLimit,
      metrics,
      limitsLogger,
    );
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const given = { ...this.serverOptions, ...options } as ServerOptions;
    const theirs = given.allowRequest;
    const merged: ServerOptions = {
      // A frame may be larger than an event may: the event is refused with
      // an error the client sees, and only a far larger frame closes the
      // connection unread.
      maxHttpBufferSize: 2 * this.maxEventBytes,
      ...(this.allowedOrigins && {
        cors: { origin: [...this.allowedOrigins], credentials: true },
      }),
      ...given,
      // Rooms and the whole server API across instances. An app that gives
      // an adapter of its own keeps it, and with it that adapter's reach.
      adapter: given.adapter ?? this.roomAdapter,
      // This library's checks first, then the app's own, if any.
      allowRequest: (request, verdict) =>
        this.admission.check(request, (error, accepted) =>
          accepted && theirs
            ? theirs(request, verdict)
            : verdict(error as string, accepted),
        ),
    };
    const server = super.createIOServer(port, merged) as Server;
    this.socketState.attachServer(server);
    // Socket.IO keeps the handshake's HTTP request for the connection's
    // whole life. Keep only what a namespace handshake reads from it, and let
    // the rest (the IncomingMessage and what hangs off it) go.
    server.engine.on(
      'connection',
      (
        connection: GuardedConnection &
          InboundConnection & { request: unknown },
      ) => {
        connection.request = slimRequest(connection.request as IncomingMessage);
        this.slowClients.watch(connection);
        this.inbound.watch(connection);
      },
    );
    this.bindNamespace(server.sockets);
    server.on('new_namespace', (nsp: Namespace) => this.bindNamespace(nsp));
    return server;
  }

  /**
   * Binds a gateway's handlers to a socket through one middleware per
   * socket (see MessageRouter) rather than Nest's rxjs pipeline per handler:
   * the same behaviour, for less memory per socket and less work per message.
   */
  override bindMessageHandlers(
    socket: Socket,
    handlers: MessageMappingProperties[],
  ): void {
    let router = this.routers.get(socket);
    if (!router) {
      router = new MessageRouter(
        socket,
        (payload) => this.mapPayload(payload),
        this.stateLogger,
      );
      this.routers.set(socket, router);
    }
    router.add(handlers);
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
      this.admit(socket).then(
        () => next(),
        (error: Error) => {
          this.metrics.countConnectionRefused(refusalCode(error));
          next(error);
        },
      );
    });
    // One listener per namespace, however many gateways share it, so each
    // socket is registered exactly once.
    nsp.on('connection', (socket: Socket) => {
      this.inbound.guard(socket);
      this.register(socket);
    });
  }

  private async admit(socket: Socket): Promise<void> {
    const user = await this.authenticator.authenticate(socket.handshake);
    (socket.data as PropagatorSocketData).user = user;
    if (!user) {
      return;
    }
    // The user's room, whose channel is the user's, and a place among the
    // user's sockets, asked for at once. Joining before the connection is
    // accepted means a client that sees 'connect' is reachable by a push;
    // Socket.IO leaves the rooms of a socket it drops or disconnects.
    // An adapter of the app's own does not hold channels: hold the user's.
    const held =
      socket.nsp.adapter instanceof RoomAdapter
        ? undefined
        : this.router.holdUser(user.userId);
    let releaseSocket = () => undefined as void;
    let givenBack = false;
    const giveBack = () => {
      if (!givenBack) {
        givenBack = true;
        held?.release();
        releaseSocket();
      }
    };
    socket.once('disconnect', giveBack);
    // Socket.IO connects the socket on the tick after the middleware, or
    // drops it without a 'disconnect' (the client left, or this or a later
    // middleware refused it): give the place back then.
    const giveBackIfDropped = () => {
      if (!socket.connected) {
        giveBack();
      }
    };
    try {
      [releaseSocket] = await Promise.all([
        this.quota.acquire(user.userId),
        held?.ready ?? socket.join([AUTHENTICATED_ROOM, userRoom(user.userId)]),
      ]);
    } finally {
      setImmediate(giveBackIfDropped);
    }
  }

  private register(socket: Socket): void {
    const user = getSocketUser(socket);
    if (!user) {
      return;
    }
    this.socketState.add(user.userId, socket);
    const stopWatchingToken = this.tokenLifetime.track(socket, user);
    socket.once('disconnect', () => {
      stopWatchingToken();
      this.socketState.remove(user.userId, socket);
    });
  }
}

/** The `data.code` a refused client sees, or `error` for an unexpected failure. */
function refusalCode(error: Error): string {
  const code = (error as { data?: { code?: unknown } }).data?.code;
  return typeof code === 'string' ? code : 'error';
}

/**
 * What Socket.IO reads from the handshake request when a socket joins a
 * namespace (`socket.handshake`: headers, URL, query, whether TLS), and
 * nothing else.
 */
function slimRequest(request: IncomingMessage): SlimRequest {
  return {
    headers: request.headers,
    url: request.url,
    _query: (request as { _query?: unknown })._query,
    connection: {
      encrypted: (request.socket as { encrypted?: boolean }).encrypted === true,
    },
  };
}

interface SlimRequest {
  readonly headers: IncomingMessage['headers'];
  readonly url: string | undefined;
  readonly _query: unknown;
  readonly connection: { readonly encrypted: boolean };
}
