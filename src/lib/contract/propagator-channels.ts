// The channel names of the wire contract, as the article named them. Other
// services publish on them, so they never change; a prefix may go in front.
const SEND_TO_USER = 'REDIS_SOCKET_EVENT_SEND_NAME';
const EMIT_TO_ALL = 'REDIS_SOCKET_EVENT_EMIT_ALL_NAME';
const EMIT_TO_AUTHENTICATED = 'REDIS_SOCKET_EVENT_EMIT_AUTHENTICATED_NAME';

/** The three channel names of the wire contract, after the prefix. */
export interface PropagatorChannels {
  /** Send-to-user: every socket of one user. */
  readonly send: string;
  /** Emit-to-all: every socket, anonymous ones included. */
  readonly emitAll: string;
  /** Emit-to-authenticated: every authenticated socket. */
  readonly emitAuthenticated: string;
}

/**
 * The channel names for a prefix (the `channelPrefix` option): the only place
 * where the prefix is applied. A service that publishes without this library
 * uses the same names, e.g. `myapp:REDIS_SOCKET_EVENT_SEND_NAME`.
 *
 * @param prefix Prepended as is; include your own separator. @default ''
 */
export function propagatorChannels(prefix = ''): PropagatorChannels {
  return {
    send: prefix + SEND_TO_USER,
    emitAll: prefix + EMIT_TO_ALL,
    emitAuthenticated: prefix + EMIT_TO_AUTHENTICATED,
  };
}
