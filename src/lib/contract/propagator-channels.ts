// The channel names of the wire contract, as the article named them. Other
// services publish on them, so they never change; a prefix may go in front.
const SEND_TO_USER = 'REDIS_SOCKET_EVENT_SEND_NAME';
const EMIT_TO_ALL = 'REDIS_SOCKET_EVENT_EMIT_ALL_NAME';
const EMIT_TO_AUTHENTICATED = 'REDIS_SOCKET_EVENT_EMIT_AUTHENTICATED_NAME';
// A user's own channel is the send-to-user channel's name, this separator,
// and the user id. A room's channel is built the same way.
const USER_SEPARATOR = ':';
const ROOM = 'REDIS_SOCKET_EVENT_ROOM_NAME';
// What instances of this library say to each other: one channel per
// namespace, one reply channel per instance, and the heartbeats.
const NAMESPACE = 'REDIS_SOCKET_EVENT_NAMESPACE';
const REPLY = 'REDIS_SOCKET_EVENT_REPLY';
const INSTANCES = 'REDIS_SOCKET_EVENT_INSTANCES';

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
  /** What every room channel name starts with. */
  readonly roomPrefix: string;
  /**
   * A room's channel, e.g. `REDIS_SOCKET_EVENT_ROOM_NAME:chat-7`, in every
   * namespace: only the instances that hold a socket in the room subscribe
   * to it, so PUBLISH there answers how many instances hold the room.
   */
  room(room: string): string;
  /**
   * The channel that every instance serving a namespace reads: broadcasts
   * to the whole namespace, and requests that no room narrows.
   */
  namespace(name: string): string;
  /** The channel where the instance `uid` gets the answers to its requests. */
  reply(uid: string): string;
  /** The channel of the instances' heartbeats. */
  readonly instances: string;
  /**
   * Whether a channel is one of the many small ones (a user's, a room's, a
   * namespace's, an instance's): on Redis Cluster these use sharded pub/sub.
   */
  readonly isSharded: (channel: string) => boolean;
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
  const roomPrefix = prefix + ROOM + USER_SEPARATOR;
  const namespacePrefix = prefix + NAMESPACE + USER_SEPARATOR;
  const replyPrefix = prefix + REPLY + USER_SEPARATOR;
  const sharded = [userPrefix, roomPrefix, namespacePrefix, replyPrefix];
  return {
    send: prefix + SEND_TO_USER,
    emitAll: prefix + EMIT_TO_ALL,
    emitAuthenticated: prefix + EMIT_TO_AUTHENTICATED,
    userPrefix,
    user: (userId) => userPrefix + userId,
    roomPrefix,
    room: (room) => roomPrefix + room,
    namespace: (name) => namespacePrefix + name,
    reply: (uid) => replyPrefix + uid,
    instances: prefix + INSTANCES,
    isSharded: (channel) =>
      sharded.some((shardedPrefix) => channel.startsWith(shardedPrefix)),
    idKey: (id) => `${prefix}REDIS_SOCKET_EVENT_ID:${id}`,
    socketsKey: (userId) => `${prefix}REDIS_SOCKET_USER_SOCKETS:${userId}`,
  };
}
