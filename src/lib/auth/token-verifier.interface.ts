import type { AuthenticatedUser } from './authenticated-user.interface';

/**
 * Turns a connection token into a user. Provide your own (session cookie,
 * opaque token looked up in a store) through the `verifier` module option.
 *
 * Implementations throw a {@link TokenVerificationError} for a token they
 * refuse. They must not trust anything in the token they have not checked.
 */
export interface TokenVerifier {
  verify(token: string): Promise<AuthenticatedUser>;
}
