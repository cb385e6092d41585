import { Injectable } from '@nestjs/common';
import type {
  ParsedBroadcast,
  ParsedSendToUser,
} from '../contract/propagator-message.parser';
import {
  AUTHENTICATED_ROOM,
  SocketStateService,
} from '../socket-state/socket-state.service';

/**
 * Delivers a decoded message to the sockets of this instance: the only code
 * of the propagator that touches sockets.
 */
@Injectable()
export class LocalDelivery {
  constructor(private readonly socketState: SocketStateService) {}

  /** Every socket of the user in the namespace, except `socketId`. */
  toUser({ userId, socketId, namespace, event, data }: ParsedSendToUser): void {
    for (const socket of this.socketState.get(userId)) {
      if (socket.nsp.name === namespace && socket.id !== socketId) {
        socket.emit(event, data);
      }
    }
  }

  /** Every socket of the namespace, anonymous ones included. */
  toAll({ namespace, event, data }: ParsedBroadcast): void {
    for (const nsp of this.socketState.namespaces(namespace)) {
      nsp.local.emit(event, data);
    }
  }

  /** Every authenticated socket of the namespace. */
  toAuthenticated({ namespace, event, data }: ParsedBroadcast): void {
    for (const nsp of this.socketState.namespaces(namespace)) {
      nsp.local.to(AUTHENTICATED_ROOM).emit(event, data);
    }
  }
}
