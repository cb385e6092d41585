import type { Socket } from 'socket.io';
import type { AuthenticatedUser } from '../auth/authenticated-user.interface';

/** The `socket.data` this library writes; an app may add fields of its own. */
export interface PropagatorSocketData {
  /** The authenticated user; absent on an anonymous socket. */
  user?: AuthenticatedUser;
}

/** The user of an authenticated socket, or undefined for an anonymous one. */
export function getSocketUser(socket: Socket): AuthenticatedUser | undefined {
  const data: unknown = socket.data;
  if (typeof data !== 'object' || data === null) {
    return undefined;
  }
  return (data as PropagatorSocketData).user;
}
