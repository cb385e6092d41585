/** A message of the emit-to-all and emit-to-authenticated channels. */
export interface BroadcastMessage {
  /** Event name the sockets receive. */
  readonly event: string;
  /** Any JSON value. */
  readonly data?: unknown;
  /** Namespace whose sockets receive it. @default '/' */
  readonly namespace?: string;
  /**
   * Idempotency key: a message whose `id` was already published through
   * this library within the idempotency window (5 minutes by default) is
   * not delivered again. At most 200 characters.
   */
  readonly id?: string;
}

/** A message of the send-to-user channel. */
export interface SendToUserMessage extends BroadcastMessage {
  /** The user whose sockets receive it. An integer is read as its decimal string. */
  readonly userId: string | number;
  /** A socket of that user that does not receive it (usually the sender). */
  readonly socketId?: string;
}
