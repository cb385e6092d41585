import type { UnauthorizedCode } from '../auth/token-verification.error';

/**
 * The error a refused connection receives: `connect_error` with message
 * `unauthorized` and `data.code` saying why. Nothing else of the server's
 * reasoning reaches the client.
 */
export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
  readonly data: { readonly code: UnauthorizedCode };

  constructor(code: UnauthorizedCode) {
    super('unauthorized');
    this.data = { code };
  }
}
