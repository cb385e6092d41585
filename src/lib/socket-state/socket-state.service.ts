import { Injectable } from '@nestjs/common';
import type { Namespace, Server, Socket } from 'socket.io';

/**
 * This instance's registry of sockets: user id -> that user's sockets, in
 * every namespace. It also knows the Socket.IO servers of this instance, so
 * that a broadcast reaches a whole namespace with a single encoding.
 *
 * It holds only local state; it knows nothing about Redis.
 */
@Injectable()
export class SocketStateService {
  private readonly socketsByUser = new Map<string, Set<Socket>>();
  private readonly servers = new Set<Server>();

  /** Registers a socket of a user. Returns false if it was registered already. */
  add(userId: string, socket: Socket): boolean {
    let sockets = this.socketsByUser.get(userId);
    if (!sockets) {
      sockets = new Set();
      this.socketsByUser.set(userId, sockets);
    }
    if (sockets.has(socket)) {
      return false;
    }
    sockets.add(socket);
    return true;
  }

  /** Forgets a socket of a user. Returns false if it was not registered. */
  remove(userId: string, socket: Socket): boolean {
    const sockets = this.socketsByUser.get(userId);
    if (!sockets?.delete(socket)) {
      return false;
    }
    if (sockets.size === 0) {
      this.socketsByUser.delete(userId);
    }
    return true;
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

  /** Makes a Socket.IO server's namespaces reachable through {@link namespaces}. */
  attachServer(server: Server): void {
    this.servers.add(server);
  }

  /** Forgets a server, when it closes. */
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
}
