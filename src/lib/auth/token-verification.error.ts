/**
 * Machine-readable reasons for refusing a connection. A client reads the code
 * from `err.data.code` in its `connect_error` handler.
 */
export type UnauthorizedCode =
  'TOKEN_MISSING' | 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'TOKEN_NOT_YET_VALID';

/**
 * Thrown by a {@link TokenVerifier} for a token it refuses. Any other error
 * thrown by a verifier is reported to the client as `TOKEN_INVALID` and logged.
 */
export class TokenVerificationError extends Error {
  override readonly name = 'TokenVerificationError';

  constructor(
    readonly code: UnauthorizedCode,
    message: string,
  ) {
    super(message);
  }
}
