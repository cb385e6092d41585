import { Injectable } from '@nestjs/common';

/**
 * A listen-only client: it receives what a socket of its user (or an
 * anonymous socket) in its namespace would, and sends nothing. A
 * Server-Sent Events response, say.
 */
export interface EventStreamSink {
  /** The user, or undefined for an anonymous listener. */
  readonly userId?: string;
  /** @default '/' */
  readonly namespace: string;
  /** Writes one event. It must not throw. */
  send(event: string, data: unknown, id?: string): void;
}

/** This instance's listen-only clients, by user and by namespace. */
@Injectable()
export class EventStreamRegistry {
  private readonly byUser = new Map<string, Set<EventStreamSink>>();
  private readonly all = new Set<EventStreamSink>();

  add(stream: EventStreamSink): void {
    this.all.add(stream);
    if (stream.userId !== undefined) {
      let streams = this.byUser.get(stream.userId);
      if (!streams) {
        streams = new Set();
        this.byUser.set(stream.userId, streams);
      }
      streams.add(stream);
    }
  }

  remove(stream: EventStreamSink): void {
    this.all.delete(stream);
    if (stream.userId === undefined) {
      return;
    }
    const streams = this.byUser.get(stream.userId);
    if (streams?.delete(stream) && streams.size === 0) {
      this.byUser.delete(stream.userId);
    }
  }

  /** How many streams are open on this instance. */
  get size(): number {
    return this.all.size;
  }

  /** Sends to the user's streams in the namespace. */
  sendToUser(
    userId: string,
    namespace: string,
    event: string,
    data: unknown,
    id?: string,
  ): number {
    const streams = this.byUser.get(userId);
    if (!streams) {
      return 0;
    }
    let sent = 0;
    for (const stream of streams) {
      if (stream.namespace === namespace) {
        stream.send(event, data, id);
        sent += 1;
      }
    }
    return sent;
  }

  /** Sends to every stream of the namespace, or to its authenticated ones. */
  sendToNamespace(
    namespace: string,
    authenticatedOnly: boolean,
    event: string,
    data: unknown,
    id?: string,
  ): number {
    let sent = 0;
    for (const stream of this.all) {
      if (
        stream.namespace === namespace &&
        (!authenticatedOnly || stream.userId !== undefined)
      ) {
        stream.send(event, data, id);
        sent += 1;
      }
    }
    return sent;
  }
}
