/** Algorithms the default verifier accepts. `none` is never among them. */
export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

/** Options of the default JWT verifier. Exactly one of `secret` and `publicKey` is required. */
export interface JwtVerifierOptions {
  /**
   * Shared secret for HS256. At least 32 bytes, as RFC 7518 section 3.2 requires
   * for a key of HMAC SHA-256.
   */
  secret?: string;
  /** PEM public key (SPKI) for RS256 (an RSA key) or ES256 (a P-256 key). */
  publicKey?: string;
  /**
   * Accepted algorithms.
   * @default ['HS256'] with `secret`; ['RS256'] or ['ES256'] with `publicKey`, after the key's type
   */
  algorithms?: JwtAlgorithm[];
  /** Required `iss` claim. @default undefined (not checked) */
  issuer?: string | string[];
  /** Required `aud` claim. @default undefined (not checked) */
  audience?: string | string[];
  /** Allowed clock skew when checking `exp` and `nbf`, in seconds. @default 0 */
  clockToleranceSeconds?: number;
}
