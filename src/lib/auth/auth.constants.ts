/** Injection token of the {@link TokenVerifier} in use. */
export const TOKEN_VERIFIER = Symbol('redis-propagator:token-verifier');
