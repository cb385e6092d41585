import type {
  ParsedBroadcast,
  ParsedSendToUser,
} from '../contract/propagator-message.parser';

/**
 * Where decoded messages go: this instance's sockets (LocalDelivery). Each
 * method returns how many sockets and streams it reached.
 */
export interface MessageDelivery {
  toUser(message: ParsedSendToUser): number;
  toAll(message: ParsedBroadcast): number;
  toAuthenticated(message: ParsedBroadcast): number;
  /** Every socket in the room, in the message's namespace. */
  toRoom(room: string, message: ParsedBroadcast): number;
}
