import type { Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { AuthenticatedUser } from '../auth/authenticated-user.interface';
import { runAt } from '../shared/run-at';
import type { PropagatorSocketData } from '../socket-state/socket-user';
import type { HandshakeAuthenticator } from './handshake-authenticator';
import { UnauthorizedError } from './unauthorized.error';

/** Sent to a socket whose token has expired, just before it is disconnected. */
export const TOKEN_EXPIRED_EVENT = 'token_expired';
/** Sent by a client, with an ack, to renew its token on the live connection. */
export const RENEW_TOKEN_EVENT = 'renew_token';

/** What a renewal's ack receives. */
export type RenewalAnswer =
  | { ok: true; expiresAt: number | null }
  | { ok: false; code: string; message: string };

/**
 * Ends a socket's session when its token expires: a `token_expired` event
 * with the expiry time, then the disconnect. Until then the client may send
 * `renew_token` with a fresh token and an ack; a token of the same user,
 * verified as a handshake token is, moves the expiry. Any other token is
 * refused and changes nothing.
 */
export class TokenLifetime {
  constructor(
    private readonly authenticator: HandshakeAuthenticator,
    private readonly logger: Pick<Logger, 'debug'>,
  ) {}

  /** Watches a socket's token until the socket goes; returns the stop. */
  track(socket: Socket, user: AuthenticatedUser): () => void {
    let current = user;
    let cancelExpiry = () => undefined as void;
    const arm = () => {
      cancelExpiry();
      const { expiresAt } = current;
      if (expiresAt === undefined) {
        return;
      }
      cancelExpiry = runAt(expiresAt, () => {
        this.logger.debug(`Socket ${socket.id}: token expired, disconnecting`);
        socket.emit(TOKEN_EXPIRED_EVENT, { expiresAt });
        socket.disconnect();
      });
    };
    const renew = (token: unknown, ack?: unknown) => {
      if (typeof ack !== 'function') {
        return;
      }
      const answer = ack as (answer: RenewalAnswer) => void;
      this.authenticator.verify(token, socket.handshake.address).then(
        (fresh) => {
          if (fresh.userId !== current.userId) {
            answer({
              ok: false,
              code: 'TOKEN_INVALID',
              message: 'the token is for another user',
            });
            return;
          }
          current = fresh;
          (socket.data as PropagatorSocketData).user = fresh;
          arm();
          answer({ ok: true, expiresAt: fresh.expiresAt ?? null });
        },
        (error: unknown) => {
          const code =
            error instanceof UnauthorizedError
              ? error.data.code
              : 'TOKEN_INVALID';
          answer({ ok: false, code, message: 'the token was refused' });
        },
      );
    };
    socket.on(RENEW_TOKEN_EVENT, renew);
    arm();
    return () => {
      cancelExpiry();
      socket.off(RENEW_TOKEN_EVENT, renew);
    };
  }
}
