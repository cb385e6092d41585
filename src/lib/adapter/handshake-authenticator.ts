import { Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import type { AuthenticatedUser } from '../auth/authenticated-user.interface';
import { TokenVerificationError } from '../auth/token-verification.error';
import type { TokenVerifier } from '../auth/token-verifier.interface';
import { RateLimitedLogger } from '../shared/rate-limited-logger';
import { extractHandshakeToken } from './handshake-token';
import { UnauthorizedError } from './unauthorized.error';

/**
 * Decides who a handshake belongs to: a verified user, an anonymous socket,
 * or nobody (an {@link UnauthorizedError}).
 */
export class HandshakeAuthenticator {
  private readonly rateLimited = new RateLimitedLogger(
    new Logger(HandshakeAuthenticator.name),
  );

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly allowAnonymous: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user, or undefined for an allowed anonymous socket. */
  async authenticate(
    handshake: Socket['handshake'],
  ): Promise<AuthenticatedUser | undefined> {
    try {
      const token = extractHandshakeToken(handshake);
      if (token === undefined) {
        if (this.allowAnonymous) {
          return undefined;
        }
        throw new TokenVerificationError('TOKEN_MISSING', 'no token was sent');
      }
      return this.checkUser(await this.verifier.verify(token));
    } catch (error) {
      throw this.refusal(error, handshake.address);
    }
  }

  /**
   * The user of a token sent on a live connection (a renewal), checked as
   * a handshake token is. Throws an {@link UnauthorizedError} with the code.
   */
  async verify(token: unknown, address: string): Promise<AuthenticatedUser> {
    try {
      if (typeof token !== 'string' || token.length === 0) {
        throw new TokenVerificationError(
          'TOKEN_INVALID',
          'the token must be a non-empty string',
        );
      }
      return this.checkUser(await this.verifier.verify(token));
    } catch (error) {
      throw this.refusal(error, address);
    }
  }

  /** A custom verifier's result is checked as strictly as a token. */
  private checkUser(user: AuthenticatedUser): AuthenticatedUser {
    if (typeof user?.userId !== 'string' || user.userId.length === 0) {
      throw new Error('the verifier returned a user without a userId');
    }
    if (user.expiresAt !== undefined && user.expiresAt <= this.now()) {
      throw new TokenVerificationError(
        'TOKEN_EXPIRED',
        'the credential has expired',
      );
    }
    return user;
  }

  private refusal(error: unknown, address: string): UnauthorizedError {
    if (error instanceof TokenVerificationError) {
      this.rateLimited.warn(
        `refused:${error.code}`,
        `Refused a connection from ${address}: ${error.code} (${error.message})`,
      );
      return new UnauthorizedError(error.code);
    }
    this.rateLimited.error(
      'verifier-error',
      `The token verifier failed for a connection from ${address}: ${(error as Error)?.stack ?? String(error)}`,
    );
    return new UnauthorizedError('TOKEN_INVALID');
  }
}
