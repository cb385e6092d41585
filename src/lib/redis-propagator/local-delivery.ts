import { Injectable } from '@nestjs/common';
import type {
  ParsedBroadcast,
  ParsedSendToUser,
} from '../contract/propagator-message.parser';
import { EventStreamRegistry } from '../socket-state/event-stream-registry';
import {
  AUTHENTICATED_ROOM,
  SocketStateService,
  userRoom,
} from '../socket-state/socket-state.service';

/**
 * Delivers a decoded message to the sockets and event streams of this
 * instance: the only code of the propagator that touches them. Each delivery
 * to sockets is one broadcast per namespace, so Socket.IO encodes the packet
 * once for all its recipients.
 */
@Injectable()
export class LocalDelivery {
  constructor(
    private readonly socketState: SocketStateService,
    private readonly streams: EventStreamRegistry,
  ) {}

  /** Every socket of the user in the namespace, except `socketId`. */
  toUser(message: ParsedSendToUser): number {
    const { userId, socketId, namespace, event, data, id } = message;
    let reached = this.streams.sendToUser(userId, namespace, event, data, id);
    // Nothing to encode when nobody here is to get it: a user held elsewhere
    // (most messages of the compatibility channel), or a sender alone here.
    if (!this.socketState.has(userId, socketId)) {
      return reached;
    }
    const room = userRoom(userId);
    for (const nsp of this.socketState.namespaces(namespace)) {
      const members = nsp.adapter.rooms.get(room);
      if (!members) {
        continue;
      }
      reached += members.size;
      const toUser = nsp.local.to(room);
      if (socketId === undefined) {
        toUser.emit(event, data);
      } else {
        // Every socket is in the room of its own id.
        toUser.except(socketId).emit(event, data);
        reached -= members.has(socketId) ? 1 : 0;
      }
    }
    return reached;
  }

  /** Every socket and stream of the namespace, anonymous ones included. */
  toAll({ namespace, event, data, id }: ParsedBroadcast): number {
    let reached = this.streams.sendToNamespace(
      namespace,
      false,
      event,
      data,
      id,
    );
    for (const nsp of this.socketState.namespaces(namespace)) {
      reached += nsp.sockets.size;
      nsp.local.emit(event, data);
    }
    return reached;
  }

  /** Every socket in the room, in the namespace. */
  toRoom(room: string, { namespace, event, data }: ParsedBroadcast): number {
    let reached = 0;
    for (const nsp of this.socketState.namespaces(namespace)) {
      const members = nsp.adapter.rooms.get(room);
      if (members) {
        reached += members.size;
        nsp.local.to(room).emit(event, data);
      }
    }
    return reached;
  }

  /** Every authenticated socket and stream of the namespace. */
  toAuthenticated({ namespace, event, data, id }: ParsedBroadcast): number {
    let reached = this.streams.sendToNamespace(
      namespace,
      true,
      event,
      data,
      id,
    );
    for (const nsp of this.socketState.namespaces(namespace)) {
      reached += nsp.adapter.rooms.get(AUTHENTICATED_ROOM)?.size ?? 0;
      nsp.local.to(AUTHENTICATED_ROOM).emit(event, data);
    }
    return reached;
  }
}
