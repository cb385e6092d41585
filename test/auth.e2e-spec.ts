import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { importPKCS8, SignJWT } from 'jose';
import { type AppInstance, startInstance } from './support/app-instance';
import { connect, connectRefused } from './support/clients';
import { withDeadline } from './support/deadline';
import { signToken, unsignedToken } from './support/tokens';
import { useResources } from './support/resources';

describe('handshake authentication', () => {
  const resources = useResources();
  let app: AppInstance;

  beforeAll(async () => {
    app = resources.forSuite(await startInstance(), (i) => i.close());
  });

  async function accepted(options: Parameters<typeof connect>[1]) {
    return resources.forTest(await connect(app.url, options), (c) => c.close());
  }

  it.each(['auth', 'query', 'header'] as const)(
    'accepts a valid token sent in %s, as the user it names',
    async (tokenIn) => {
      const client = await accepted({ userId: '42', tokenIn });
      const otherTab = await accepted({ userId: '42' });
      client.socket.emit('events', 'who');
      expect(await client.waitFor('events')).toEqual(['who']);
      expect(await otherTab.waitFor('events')).toEqual(['who']);
    },
  );

  it('accepts a socket without a token as anonymous by default', async () => {
    const client = await accepted({});
    expect(client.socket.connected).toBe(true);
  });

  it('refuses a token signed with another secret', async () => {
    const forged = await signToken(
      { sub: '42' },
      'an-attacker-secret-that-is-32-bytes-or-more',
    );
    expect(await connectRefused(app.url, { token: forged })).toEqual({
      message: 'unauthorized',
      data: { code: 'TOKEN_INVALID' },
    });
  });

  it('refuses an expired token', async () => {
    const expired = await signToken({ sub: '42', expiresIn: -60 });
    expect(await connectRefused(app.url, { token: expired })).toEqual({
      message: 'unauthorized',
      data: { code: 'TOKEN_EXPIRED' },
    });
  });

  it('refuses a token with algorithm none', async () => {
    expect(
      await connectRefused(app.url, { token: unsignedToken('42') }),
    ).toEqual({ message: 'unauthorized', data: { code: 'TOKEN_INVALID' } });
  });

  it('refuses a token that is not valid yet', async () => {
    const early = await signToken({ sub: '42', notBeforeIn: 600 });
    expect(await connectRefused(app.url, { token: early })).toEqual({
      message: 'unauthorized',
      data: { code: 'TOKEN_NOT_YET_VALID' },
    });
  });

  it('refuses a token without a subject, and one that is not a JWT', async () => {
    for (const token of [await signToken({}), 'not-a-jwt']) {
      expect(await connectRefused(app.url, { token })).toEqual({
        message: 'unauthorized',
        data: { code: 'TOKEN_INVALID' },
      });
    }
  });

  it('refuses a malformed Authorization header rather than connecting anonymously', async () => {
    const token = await signToken({ sub: '42' });
    const refused = await connectRefused(app.url, {
      token: `${token} extra`,
      tokenIn: 'header',
    });
    expect(refused.data).toEqual({ code: 'TOKEN_INVALID' });
  });

  it('authenticates every namespace, not only the main one', async () => {
    const forged = await signToken({ sub: '42' }, 'x'.repeat(40));
    expect(
      await connectRefused(app.url, {
        token: forged,
        namespace: '/notifications',
      }),
    ).toEqual({ message: 'unauthorized', data: { code: 'TOKEN_INVALID' } });
    const client = await accepted({
      userId: '42',
      namespace: '/notifications',
    });
    client.socket.emit('notify', 'hi');
    expect(await client.waitFor('notification')).toEqual(['hi']);
  });

  it('disconnects a socket when its token expires', async () => {
    const client = await accepted({
      // exp has a resolution of one second: 2 s leaves at least 1 s to connect.
      token: await signToken({ sub: '42', expiresIn: 2 }),
    });
    const reason = await withDeadline(
      new Promise((resolve) => client.socket.once('disconnect', resolve)),
      'the disconnect at token expiry',
    );
    expect(reason).toBe('io server disconnect');
  });
});

describe('handshake authentication, configured', () => {
  const resources = useResources();

  async function instance(env: Record<string, string>) {
    return resources.forTest(await startInstance(env), (i) => i.close());
  }

  it('refuses a socket without a token when ALLOW_ANONYMOUS=false', async () => {
    const app = await instance({ ALLOW_ANONYMOUS: 'false' });
    expect(await connectRefused(app.url, {})).toEqual({
      message: 'unauthorized',
      data: { code: 'TOKEN_MISSING' },
    });
  });

  it('checks iss and aud when they are configured', async () => {
    const app = await instance({
      JWT_ISSUER: 'auth.example',
      JWT_AUDIENCE: 'chat',
    });
    const good = await signToken({
      sub: '42',
      iss: 'auth.example',
      aud: 'chat',
    });
    resources.forTest(await connect(app.url, { token: good }), (c) =>
      c.close(),
    );
    for (const claims of [
      { sub: '42', iss: 'evil.example', aud: 'chat' },
      { sub: '42', iss: 'auth.example', aud: 'other' },
      { sub: '42' },
    ]) {
      const refused = await connectRefused(app.url, {
        token: await signToken(claims),
      });
      expect(refused.data).toEqual({ code: 'TOKEN_INVALID' });
    }
  });

  it.each([
    ['RS256', { type: 'rsa', options: { modulusLength: 2048 } }],
    ['ES256', { type: 'ec', options: { namedCurve: 'P-256' } }],
  ] as const)('verifies %s tokens with JWT_PUBLIC_KEY', async (alg, key) => {
    const { publicKey, privateKey } = generateKeyPairSync(
      key.type as 'rsa',
      key.options as { modulusLength: number },
    );
    const app = await instance({
      JWT_SECRET: '',
      JWT_PUBLIC_KEY: publicKey
        .export({ type: 'spki', format: 'pem' })
        .toString(),
    });
    const signingKey = await importPKCS8(
      privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      alg,
    );
    const token = await new SignJWT({})
      .setProtectedHeader({ alg })
      .setSubject('42')
      .setExpirationTime('1h')
      .sign(signingKey);
    resources.forTest(await connect(app.url, { token }), (c) => c.close());
    // An HS256 token must not pass as if the public key were a shared secret.
    const confused = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('42')
      .setExpirationTime('1h')
      .sign(
        new TextEncoder().encode(
          publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        ),
      );
    const refused = await connectRefused(app.url, { token: confused });
    expect(refused.data).toEqual({ code: 'TOKEN_INVALID' });
  });
});
