import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Observable, Subject } from 'rxjs';
import type { Namespace, Server, Socket } from 'socket.io';
import { AUTHENTICATED_ROOM, userRoom } from '../rooms/room-names';

export { AUTHENTICATED_ROOM, userRoom };

/**
 * This instance's registry of sockets: user id -> that user's sockets, in
 * every namespace. Registered sockets join the authenticated room and their
 * user's room. It also
 * knows the Socket.IO servers of this instance, so that a broadcast reaches a
 * whole namespace with a single encoding.
 *
 * It holds only local state; it knows nothing about Redis.
 */
@Injectable()
export class SocketStateService implements OnModuleDestroy {
  private readonly logger = new Logger(SocketStateService.name);
  private readonly socketsByUser = new Map<string, Set<Socket>>();
  private readonly servers = new Set<Server>();
  private readonly arrived = new Subject<string>();
  private readonly left = new Subject<string>();

  /**
   * The id of a user whose first socket on this instance was just added.
   * Emitted synchronously inside {@link add}.
   */
  readonly userArrived$: Observable<string> = this.arrived.asObservable();

  /**
   * The id of a user whose last socket on this instance was just removed.
   * Emitted synchronously inside {@link remove}.
   */
  readonly userLeft$: Observable<string> = this.left.asObservable();

  /**
   * Registers a socket of a user and puts it in the authenticated room and
   * the user's room. Returns false if it was registered already.
   */
  add(userId: string, socket: Socket): boolean {
    let sockets = this.socketsByUser.get(userId);
    const isFirst = !sockets;
    if (!sockets) {
      sockets = new Set();
      this.socketsByUser.set(userId, sockets);
    }
    if (sockets.has(socket)) {
      return false;
    }
    sockets.add(socket);
    // join() returns a promise only with an asynchronous Socket.IO adapter.
    Promise.resolve(socket.join([AUTHENTICATED_ROOM, userRoom(userId)])).catch(
      (error: Error) =>
        this.logger.error(
          `Socket ${socket.id} could not join: ${error.message}`,
        ),
    );
    if (isFirst) {
      this.arrived.next(userId);
    }
    return true;
  }

  /** Forgets a socket of a user. Returns false if it was not registered. */
  remove(userId: string, socket: Socket): boolean {
    const sockets = this.socketsByUser.get(userId);
    if (!sockets?.delete(socket)) {
      return false;
    }
    if (socket.connected) {
      for (const room of [AUTHENTICATED_ROOM, userRoom(userId)]) {
        Promise.resolve(socket.leave(room)).catch((error: Error) =>
          this.logger.error(
            `Socket ${socket.id} could not leave: ${error.message}`,
          ),
        );
      }
    }
    if (sockets.size === 0) {
      this.socketsByUser.delete(userId);
      this.left.next(userId);
    }
    return true;
  }

  /**
   * Whether the user has a socket on this instance, other than the one of
   * id `exceptSocketId` if given.
   */
  has(userId: string, exceptSocketId?: string): boolean {
    const sockets = this.socketsByUser.get(userId);
    if (!sockets) {
      return false;
    }
    if (exceptSocketId === undefined || sockets.size > 1) {
      return true;
    }
    const [only] = sockets;
    return only.id !== exceptSocketId;
  }

  /** The user's sockets on this instance, in every namespace. */
  get(userId: string): Socket[] {
    const sockets = this.socketsByUser.get(userId);
    return sockets ? [...sockets] : [];
  }

  /** Every authenticated socket on this instance, as one flat list. */
  getAll(): Socket[] {
    const all: Socket[] = [];
    for (const sockets of this.socketsByUser.values()) {
      all.push(...sockets);
    }
    return all;
  }

  /** How many users have at least one socket on this instance. */
  get userCount(): number {
    return this.socketsByUser.size;
  }

  /**
   * Makes a Socket.IO server's namespaces reachable through
   * {@link namespaces}. Called by the adapter.
   * @internal
   */
  attachServer(server: Server): void {
    this.servers.add(server);
  }

  /** Forgets a server, when it closes. @internal */
  detachServer(server: Server): void {
    this.servers.delete(server);
  }

  /**
   * The namespaces of that name that exist on this instance's servers. A
   * namespace is never created here: a broadcast to a namespace that no
   * gateway serves reaches nobody.
   */
  namespaces(name: string): Namespace[] {
    const found: Namespace[] = [];
    for (const server of this.servers) {
      const nsp = server._nsps.get(name);
      if (nsp) {
        found.push(nsp);
      }
    }
    return found;
  }

  /** Every namespace of this instance's Socket.IO servers. */
  allNamespaces(): Namespace[] {
    const found: Namespace[] = [];
    for (const server of this.servers) {
      found.push(...server._nsps.values());
    }
    return found;
  }

  onModuleDestroy(): void {
    this.arrived.complete();
    this.left.complete();
  }
}
