import { describe, expect, it } from '@jest/globals';
import { extractHandshakeToken } from './handshake-token';

const handshake = (parts: {
  auth?: Record<string, unknown>;
  query?: Record<string, unknown>;
  authorization?: string;
}) =>
  ({
    auth: parts.auth ?? {},
    query: parts.query ?? {},
    headers: parts.authorization ? { authorization: parts.authorization } : {},
  }) as never;

describe('extractHandshakeToken', () => {
  it('prefers auth.token, then the query, then the Authorization header', () => {
    expect(
      extractHandshakeToken(
        handshake({
          auth: { token: 'a' },
          query: { token: 'q' },
          authorization: 'Bearer h',
        }),
      ),
    ).toBe('a');
    expect(
      extractHandshakeToken(
        handshake({ query: { token: 'q' }, authorization: 'Bearer h' }),
      ),
    ).toBe('q');
    expect(
      extractHandshakeToken(handshake({ authorization: 'bearer  h ' })),
    ).toBe('h');
  });

  it('finds no token in an empty handshake', () => {
    expect(extractHandshakeToken(handshake({}))).toBeUndefined();
    expect(
      extractHandshakeToken(handshake({ auth: { token: '' } })),
    ).toBeUndefined();
  });

  it.each([
    [{ auth: { token: 42 } }, 'auth.token must be a single string'],
    [{ query: { token: ['a', 'b'] } }, 'query token must be a single string'],
    [
      { authorization: 'Basic abc' },
      'the Authorization header is not "Bearer <token>"',
    ],
    [
      { authorization: 'Bearer a b' },
      'the Authorization header is not "Bearer <token>"',
    ],
  ])('refuses a malformed token %j', (parts, message) => {
    expect(() => extractHandshakeToken(handshake(parts))).toThrow(message);
  });
});
