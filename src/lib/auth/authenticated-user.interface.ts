/**
 * The identity that a {@link TokenVerifier} yields for a connection token.
 * It is kept on `socket.data.user` for the lifetime of the socket.
 */
export interface AuthenticatedUser {
  /** The user id: the JWT `sub` claim with the default verifier. Never empty. */
  readonly userId: string;
  /** Every claim of the token, for the application's own checks. */
  readonly claims: Readonly<Record<string, unknown>>;
  /**
   * When the credential stops being valid, in milliseconds since the epoch.
   * A socket is disconnected at that moment. Absent: the socket never expires.
   */
  readonly expiresAt?: number;
}
