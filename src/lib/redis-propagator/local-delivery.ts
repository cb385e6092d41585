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
  toUser(message: ParsedSendToUser): void {
    const { userId, socketId, namespace, event, data, id } = message;
    this.streams.sendToUser(userId, namespace, event, data, id);
    // Nothing to encode when nobody here is to get it: a user held elsewhere
    // (most messages of the compatibility channel), or a sender alone here.
    if (!this.socketState.has(userId, socketId)) {
      return;
    }
    for (const nsp of this.socketState.namespaces(namespace)) {
      const toUser = nsp.local.to(userRoom(userId));
      // Every socket is in the room of its own id.
      (socketId === undefined ? toUser : toUser.except(socketId)).emit(
        event,
        data,
      );
    }
  }

  /** Every socket and stream of the namespace, anonymous ones included. */
  toAll({ namespace, event, data, id }: ParsedBroadcast): void {
    this.streams.sendToNamespace(namespace, false, event, data, id);
    for (const nsp of this.socketState.namespaces(namespace)) {
      nsp.local.emit(event, data);
    }
  }

  /** Every authenticated socket and stream of the namespace. */
  toAuthenticated({ namespace, event, data, id }: ParsedBroadcast): void {
    this.streams.sendToNamespace(namespace, true, event, data, id);
    for (const nsp of this.socketState.namespaces(namespace)) {
      nsp.local.to(AUTHENTICATED_ROOM).emit(event, data);
    }
  }
}
