import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { JwtTokenVerifier } from './jwt-token.verifier';
import { TokenVerificationError } from './token-verification.error';

const SECRET = 'a-secret-of-at-least-thirty-two-bytes!!';
const sign = (claims: Record<string, unknown>, secret = SECRET) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret));
const now = () => Math.floor(Date.now() / 1000);

async function refusal(verifier: JwtTokenVerifier, token: string) {
  const error = await verifier.verify(token).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TokenVerificationError);
  return (error as TokenVerificationError).code;
}

describe('JwtTokenVerifier', () => {
  const verifier = new JwtTokenVerifier({ secret: SECRET });

  it('yields the subject as user id, the claims, and the expiry in ms', async () => {
    const exp = now() + 60;
    const user = await verifier.verify(
      await sign({ sub: '42', exp, role: 'a' }),
    );
    expect(user).toEqual({
      userId: '42',
      claims: { sub: '42', exp, role: 'a' },
      expiresAt: exp * 1000,
    });
  });

  it('refuses each bad token with its code', async () => {
    expect(
      await refusal(verifier, await sign({ sub: '1', exp: now() - 1 })),
    ).toBe('TOKEN_EXPIRED');
    expect(
      await refusal(verifier, await sign({ sub: '1', nbf: now() + 60 })),
    ).toBe('TOKEN_NOT_YET_VALID');
    expect(
      await refusal(verifier, await sign({ sub: '1' }, `${SECRET}x`)),
    ).toBe('TOKEN_INVALID');
    expect(await refusal(verifier, await sign({ sub: '' }))).toBe(
      'TOKEN_INVALID',
    );
    expect(await refusal(verifier, await sign({ sub: 42 }))).toBe(
      'TOKEN_INVALID',
    );
    expect(await refusal(verifier, 'a.b.c')).toBe('TOKEN_INVALID');
  });

  it('refuses contradictory or weak options with a TypeError naming the option', () => {
    expect(() => new JwtTokenVerifier({})).toThrow(
      new TypeError(
        'JWT verifier: set exactly one of "secret" (HS256) and "publicKey" (RS256/ES256)',
      ),
    );
    expect(() => new JwtTokenVerifier({ secret: 'short' })).toThrow(
      'JWT verifier: "secret" must be at least 32 bytes long',
    );
    expect(
      () => new JwtTokenVerifier({ secret: SECRET, algorithms: ['RS256'] }),
    ).toThrow(
      'JWT verifier: "algorithms" must be a non-empty subset of [HS256] with "secret"',
    );
    expect(() => new JwtTokenVerifier({ publicKey: 'nope' })).toThrow(
      'JWT verifier: "publicKey" is not a PEM public key',
    );
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(
      () =>
        new JwtTokenVerifier({
          publicKey: publicKey
            .export({ type: 'spki', format: 'pem' })
            .toString(),
        }),
    ).toThrow('must be an RSA key (RS256) or a P-256 EC key (ES256)');
  });
});
