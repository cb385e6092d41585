import type {
  ParsedBroadcast,
  ParsedSendToUser,
} from '../contract/propagator-message.parser';

/** Where decoded messages go: this instance's sockets (LocalDelivery). */
export interface MessageDelivery {
  toUser(message: ParsedSendToUser): void;
  toAll(message: ParsedBroadcast): void;
  toAuthenticated(message: ParsedBroadcast): void;
}
