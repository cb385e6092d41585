import type { Socket } from 'socket.io';
import { TokenVerificationError } from '../auth/token-verification.error';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The connection token of a handshake: `auth.token`, else the `token` query
 * parameter, else an `Authorization: Bearer` header. Undefined when there is
 * none. A token that is present but malformed is refused, never read as
 * "no token": that would turn a broken client into an anonymous one.
 */
export function extractHandshakeToken(
  handshake: Pick<Socket['handshake'], 'auth' | 'query' | 'headers'>,
): string | undefined {
  const candidates: [string, unknown][] = [
    ['auth.token', handshake.auth?.token],
    ['query token', handshake.query?.token],
  ];
  for (const [source, value] of candidates) {
    if (value === undefined || value === '') {
      continue;
    }
    if (typeof value !== 'string') {
      throw new TokenVerificationError(
        'TOKEN_INVALID',
        `${source} must be a single string`,
      );
    }
    return value;
  }
  const authorization = handshake.headers?.authorization;
  if (authorization === undefined || authorization === '') {
    return undefined;
  }
  const match = BEARER.exec(authorization);
  if (!match) {
    throw new TokenVerificationError(
      'TOKEN_INVALID',
      'the Authorization header is not "Bearer <token>"',
    );
  }
  return match[1];
}
