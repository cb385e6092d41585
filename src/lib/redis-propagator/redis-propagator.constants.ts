/** Channel of send-to-user messages (every socket of one user). */
export const REDIS_SOCKET_EVENT_SEND_NAME = 'REDIS_SOCKET_EVENT_SEND_NAME';
/** Channel of emit-to-all messages (every socket, anonymous ones included). */
export const REDIS_SOCKET_EVENT_EMIT_ALL_NAME =
  'REDIS_SOCKET_EVENT_EMIT_ALL_NAME';
/** Channel of emit-to-authenticated messages (every authenticated socket). */
export const REDIS_SOCKET_EVENT_EMIT_AUTHENTICATED_NAME =
  'REDIS_SOCKET_EVENT_EMIT_AUTHENTICATED_NAME';

/** The three channel names in use, after the prefix. */
export interface PropagatorChannels {
  readonly send: string;
  readonly emitAll: string;
  readonly emitAuthenticated: string;
}

/** Builds the channel names; the only place where the prefix is applied. */
export function propagatorChannels(prefix = ''): PropagatorChannels {
  return {
    send: prefix + REDIS_SOCKET_EVENT_SEND_NAME,
    emitAll: prefix + REDIS_SOCKET_EVENT_EMIT_ALL_NAME,
    emitAuthenticated: prefix + REDIS_SOCKET_EVENT_EMIT_AUTHENTICATED_NAME,
  };
}

/** Room that every authenticated socket joins, in every namespace. */
export const AUTHENTICATED_ROOM = 'redis-propagator:authenticated';
