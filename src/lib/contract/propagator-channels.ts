// The channel names of the wire contract, as the article named them. Other
// services publish on them, so they never change; a prefix may go in front.
const SEND_TO_USER = 'REDIS_SOCKET_EVENT_SEND_NAME';
const EMIT_TO_ALL = 'REDIS_SOCKET_EVENT_EMIT_ALL_NAME';
const EMIT_TO_AUTHENTICATED = 'REDIS_SOCKET_EVENT_EMIT_AUTHENTICATED_NAME';
// A user's own channel is the send-to-user channel's name, this separator,
// and the user id.
const USER_SEPARATOR = ':';

/** The channel names of the wire contract, after the prefix. */
export interface PropagatorChannels {
  /**
   * Send-to-user, the compatibility path: every instance reads it and looks
   * for the user among its sockets. Prefer {@link user}.
   */
  readonly send: string;
  /** Emit-to-all: every socket, anonymous ones included. */
  readonly emitAll: string;
  /** Emit-to-authenticated: every authenticated socket. */
  readonly emitAuthenticated: string;
  /** What every per-user channel name starts with. */
  readonly userPrefix: string;
  /**
   * A user's own channel, e.g. `REDIS_SOCKET_EVENT_SEND_NAME:42`: only the
   * instances that hold a socket of that user subscribe to it, so PUBLISH
   * there answers how many instances hold the user (0: offline everywhere).
   */
  user(userId: string): string;
  /** The Redis key that records a message id for the idempotency window. */
  idKey(id: string): string;
  /** The Redis hash that counts a user's sockets, per instance (`maxSocketsPerUser`). */
  socketsKey(userId: string): string;
}

/**
 * The channel names for a prefix (the `channelPrefix` option): the only place
 * where the prefix is applied. A service that publishes without this library
 * uses the same names, e.g. `myapp:REDIS_SOCKET_EVENT_SEND_NAME:42`.
 *
 * @param prefix Prepended as is; include your own separator. @default ''
 */
export function propagatorChannels(prefix = ''): PropagatorChannels {
  const userPrefix = prefix + SEND_TO_USER + USER_SEPARATOR;
  return {
    send: prefix + SEND_TO_USER,
    emitAll: prefix + EMIT_TO_ALL,
    emitAuthenticated: prefix + EMIT_TO_AUTHENTICATED,
    userPrefix,
    user: (userId) => userPrefix + userId,
    idKey: (id) => `${prefix}REDIS_SOCKET_EVENT_ID:${id}`,
    socketsKey: (userId) => `${prefix}REDIS_SOCKET_USER_SOCKETS:${userId}`,
  };
}
