import { SignJWT } from 'jose';
import { TEST_JWT_SECRET } from './app-instance';

export interface TokenClaims {
  sub?: string;
  /** Seconds from now; negative for an expired token. @default 3600 */
  expiresIn?: number;
  /** Seconds from now until the token becomes valid. */
  notBeforeIn?: number;
  iss?: string;
  aud?: string;
}

/** An HS256 token signed with the test secret (or another one). */
export async function signToken(
  claims: TokenClaims,
  secret = TEST_JWT_SECRET,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.expiresIn ?? 3600));
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  if (claims.notBeforeIn !== undefined)
    jwt.setNotBefore(now + claims.notBeforeIn);
  if (claims.iss !== undefined) jwt.setIssuer(claims.iss);
  if (claims.aud !== undefined) jwt.setAudience(claims.aud);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** A token of user `sub` with `alg: none`: no signature at all. */
export function unsignedToken(sub: string): string {
  const encode = (value: object) =>
    Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub, exp: now + 3600 })}.`;
}
