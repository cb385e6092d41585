import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { jwtVerify, type JWTVerifyOptions } from 'jose';
import type { AuthenticatedUser } from './authenticated-user.interface';
import type {
  JwtAlgorithm,
  JwtVerifierOptions,
} from './jwt-verifier-options.interface';
import { TokenVerificationError } from './token-verification.error';
import type { TokenVerifier } from './token-verifier.interface';

const MIN_SECRET_BYTES = 32;
const SYMMETRIC: readonly JwtAlgorithm[] = ['HS256'];

/**
 * The default {@link TokenVerifier}: a signed JWT whose `sub` is the user id.
 * `exp` and `nbf` are enforced; `iss` and `aud` when configured. The accepted
 * algorithms are fixed by the key, never by the token's header, so `alg: none`
 * and key-confusion tokens are refused.
 */
export class JwtTokenVerifier implements TokenVerifier {
  private readonly key: KeyObject;
  private readonly verifyOptions: JWTVerifyOptions;

  constructor(options: JwtVerifierOptions) {
    const { key, algorithms } = resolveKey(options);
    this.key = key;
    this.verifyOptions = {
      algorithms,
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockToleranceSeconds ?? 0,
    };
  }

  async verify(token: string): Promise<AuthenticatedUser> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, this.verifyOptions));
    } catch (error) {
      throw toVerificationError(error);
    }
    const { sub, exp } = payload;
    if (typeof sub !== 'string' || sub.length === 0) {
      throw new TokenVerificationError(
        'TOKEN_INVALID',
        'the token has no "sub" claim',
      );
    }
    return {
      userId: sub,
      claims: payload,
      expiresAt: typeof exp === 'number' ? exp * 1000 : undefined,
    };
  }
}

function resolveKey(options: JwtVerifierOptions): {
  key: KeyObject;
  algorithms: JwtAlgorithm[];
} {
  const { secret, publicKey, algorithms } = options;
  if ((secret === undefined) === (publicKey === undefined)) {
    throw new TypeError(
      'JWT verifier: set exactly one of "secret" (HS256) and "publicKey" (RS256/ES256)',
    );
  }
  if (secret !== undefined) {
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      throw new TypeError(
        `JWT verifier: "secret" must be at least ${MIN_SECRET_BYTES} bytes long`,
      );
    }
    assertAlgorithms(algorithms ?? SYMMETRIC, SYMMETRIC, 'secret');
    return {
      key: createSecretKey(Buffer.from(secret)),
      algorithms: algorithms ?? [...SYMMETRIC],
    };
  }
  let key: KeyObject;
  try {
    key = createPublicKey(publicKey as string);
  } catch (error) {
    throw new TypeError(
      `JWT verifier: "publicKey" is not a PEM public key (${(error as Error).message})`,
    );
  }
  const allowed = algorithmsForKey(key);
  assertAlgorithms(algorithms ?? allowed, allowed, 'publicKey');
  return { key, algorithms: algorithms ?? allowed };
}

function algorithmsForKey(key: KeyObject): JwtAlgorithm[] {
  if (key.asymmetricKeyType === 'rsa') {
    return ['RS256'];
  }
  if (
    key.asymmetricKeyType === 'ec' &&
    key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
  ) {
    return ['ES256'];
  }
  throw new TypeError(
    'JWT verifier: "publicKey" must be an RSA key (RS256) or a P-256 EC key (ES256)',
  );
}

function assertAlgorithms(
  requested: readonly JwtAlgorithm[],
  allowed: readonly JwtAlgorithm[],
  keyOption: string,
): void {
  const wrong = requested.filter((alg) => !allowed.includes(alg));
  if (requested.length === 0 || wrong.length > 0) {
    throw new TypeError(
      `JWT verifier: "algorithms" must be a non-empty subset of [${allowed.join(', ')}] with "${keyOption}"`,
    );
  }
}

function toVerificationError(error: unknown): TokenVerificationError {
  const code = (error as { code?: unknown }).code;
  const claim = (error as { claim?: unknown }).claim;
  if (code === 'ERR_JWT_EXPIRED') {
    return new TokenVerificationError('TOKEN_EXPIRED', 'the token has expired');
  }
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'nbf') {
    return new TokenVerificationError(
      'TOKEN_NOT_YET_VALID',
      'the token is not valid yet',
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new TokenVerificationError('TOKEN_INVALID', detail);
}
