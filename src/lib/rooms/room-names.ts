// Socket.IO puts every socket in a room named after its id: 20 characters
// of base64url. Such rooms hold one socket, somewhere: subscribing a channel
// for each would cost a subscription per socket, so they are reached through
// the namespace's channel instead. A room of the app's that happens to look
// like an id is reached the same way: as surely, at the cost of reaching
// every instance.
const SOCKET_ID = /^[A-Za-z0-9_-]{20}$/;

/** True for a room named like a socket id (reached through the namespace channel). */
export function isSocketRoom(room: string): boolean {
  return SOCKET_ID.test(room);
}

/** What the room of one user's sockets is called, before the user id. */
export const USER_ROOM_PREFIX = 'redis-propagator:user:';

/**
 * Room of one user's sockets, in each namespace. Its channel is the user's
 * own channel of the contract, so a push to the user and a broadcast to the
 * room travel the same way.
 */
export function userRoom(userId: string): string {
  return USER_ROOM_PREFIX + userId;
}

/** Room that every authenticated socket joins, in every namespace. */
export const AUTHENTICATED_ROOM = 'redis-propagator:authenticated';

/**
 * True for the rooms this library puts a socket in (its user's and the
 * authenticated room): they do not count toward `maxRoomsPerSocket`.
 */
export function isLibraryRoom(room: string): boolean {
  return room === AUTHENTICATED_ROOM || room.startsWith(USER_ROOM_PREFIX);
}
