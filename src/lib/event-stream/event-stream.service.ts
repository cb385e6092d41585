import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { HandshakeAuthenticator } from '../adapter/handshake-authenticator';
import { UnauthorizedError } from '../adapter/unauthorized.error';
import type { AuthenticatedUser } from '../auth/authenticated-user.interface';
import { TokenVerificationError } from '../auth/token-verification.error';
import {
  PROPAGATOR_OPTIONS,
  type ResolvedPropagatorOptions,
} from '../options/resolved-propagator-options';
import { RoomRouter } from '../rooms/room-router';
import { runAt } from '../shared/run-at';
import {
  type EventStreamSink,
  EventStreamRegistry,
} from '../socket-state/event-stream-registry';

/** What an event stream is opened from: an HTTP request's credentials. */
export interface EventStreamRequest {
  /** `Authorization: Bearer <token>` is read from here. */
  readonly headers: IncomingHttpHeaders;
  /** `?token=` is read from here. */
  readonly query?: Record<string, unknown>;
  /** For the log of a refusal. */
  readonly address?: string;
}

/** Where an open stream writes, and how it is ended. */
export interface EventStreamWriter {
  /** Writes one event. It must not throw. */
  send(event: string, data: unknown, id?: string): void;
  /** Ends the stream from the server's side (the token expired). */
  end(reason: 'token_expired'): void;
}

/** An open stream. */
export interface EventStream {
  /** The listener, or undefined for an anonymous one. */
  readonly user?: AuthenticatedUser;
  /** Forgets the stream; call it when the client goes away. Safe twice. */
  close(): void;
}

/**
 * Listen-only clients (Server-Sent Events, say): authenticated with the same
 * tokens and refusals as sockets, they receive what a socket of their user
 * in their namespace would, and count as the user's presence for the user's
 * channel, as a socket does. The HTTP side (headers, heartbeats) is the
 * app's.
 */
@Injectable()
export class EventStreamService {
  private readonly authenticator: HandshakeAuthenticator;

  constructor(
    private readonly registry: EventStreamRegistry,
    private readonly router: RoomRouter,
    @Inject(PROPAGATOR_OPTIONS) options: ResolvedPropagatorOptions,
  ) {
    this.authenticator = new HandshakeAuthenticator(
      options.verifier,
      options.allowAnonymous,
    );
  }

  /**
   * Who the request is from: the user of its token (`Authorization: Bearer`
   * or `?token=`), or undefined for an allowed anonymous listener. Rejects
   * with a `TokenVerificationError` whose `code` says why, exactly as a
   * socket is refused.
   */
  async authenticate(
    request: EventStreamRequest,
  ): Promise<AuthenticatedUser | undefined> {
    try {
      return await this.authenticator.authenticate({
        auth: {},
        query: (request.query ?? {}) as never,
        headers: request.headers,
        address: request.address ?? 'unknown',
      } as never);
    } catch (error) {
      if (error instanceof UnauthorizedError) {
        throw new TokenVerificationError(error.data.code, error.message);
      }
      throw error;
    }
  }

  /**
   * Opens a stream for an authenticated listener (see {@link authenticate}),
   * in namespace `/` unless told otherwise. Resolves once the user's channel
   * is subscribed (at most 2 s), so what is pushed from then on arrives. The
   * stream ends by itself when the user's token expires.
   */
  async open(
    user: AuthenticatedUser | undefined,
    writer: EventStreamWriter,
    namespace = '/',
  ): Promise<EventStream> {
    const presence = user && this.router.holdUser(user.userId);
    const sink: EventStreamSink = {
      userId: user?.userId,
      namespace,
      send: (event, data, id) => writer.send(event, data, id),
    };
    let cancelExpiry = () => undefined as void;
    let isClosed = false;
    const close = () => {
      if (!isClosed) {
        isClosed = true;
        cancelExpiry();
        this.registry.remove(sink);
        presence?.release();
      }
    };
    await presence?.ready;
    this.registry.add(sink);
    if (user?.expiresAt !== undefined) {
      cancelExpiry = runAt(user.expiresAt, () => {
        close();
        writer.end('token_expired');
      });
    }
    return { user, close };
  }

  /** How many streams are open on this instance. */
  get size(): number {
    return this.registry.size;
  }
}
