import { beforeAll, describe, expect, it } from '@jest/globals';
import { type AppInstance, startInstance } from './support/app-instance';
import { connect, type TestClient } from './support/clients';
import { withDeadline } from './support/deadline';
import { useResources } from './support/resources';
import { signToken } from './support/tokens';

/** What the `renew_token` ack answers. */
interface RenewalAnswer {
  ok: boolean;
  expiresAt?: number | null;
  code?: string;
}

describe('tokens that expire, and renew on the live connection', () => {
  const resources = useResources();
  let instance: AppInstance;

  beforeAll(async () => {
    instance = resources.forSuite(await startInstance(), (i) => i.close());
  });

  /** A socket of `userId` with a token that lives 2 s. */
  async function shortLived(userId: string): Promise<TestClient> {
    const token = await signToken({ sub: userId, expiresIn: 2 });
    return resources.forTest(await connect(instance.url, { token }), (c) =>
      c.close(),
    );
  }

  const disconnected = (tab: TestClient) =>
    withDeadline(
      new Promise<string>((resolve) =>
        tab.socket.once('disconnect', (reason) => resolve(reason)),
      ),
      'the disconnect',
      4_000,
    );

  const renew = (tab: TestClient, token: unknown) =>
    tab.socket
      .timeout(2_000)
      .emitWithAck('renew_token', token) as Promise<RenewalAnswer>;

  it('tells a socket its token expired, with the expiry, then disconnects it', async () => {
    const tab = await shortLived('expiring');
    const gone = disconnected(tab);

    const [expired] = (await tab.waitFor('token_expired', 1, 4_000)) as [
      { expiresAt: number },
    ];

    expect(expired.expiresAt).toBeLessThanOrEqual(Date.now());
    expect(await gone).toBe('io server disconnect');
  });

  it('keeps a socket that renews its token in time, with the same user', async () => {
    const tab = await shortLived('renewing');
    const fresh = await signToken({ sub: 'renewing', expiresIn: 60 });

    const answer = await renew(tab, fresh);

    expect(answer.ok).toBe(true);
    expect(answer.expiresAt).toBeGreaterThan(Date.now() + 50_000);
    // Past the first token's expiry, the socket is still there and answers.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(tab.socket.connected).toBe(true);
    expect(tab.events('token_expired')).toEqual([]);
    expect((await tab.whoami()).userId).toBe('renewing');
  });

  it.each([
    [
      'a token of another user',
      () => signToken({ sub: 'someone-else', expiresIn: 60 }),
      'TOKEN_INVALID',
    ],
    [
      'an expired token',
      () => signToken({ sub: 'refused', expiresIn: -5 }),
      'TOKEN_EXPIRED',
    ],
    [
      'a token signed with another key',
      () =>
        signToken(
          { sub: 'refused', expiresIn: 60 },
          'another-secret-of-at-least-32-bytes!!',
        ),
      'TOKEN_INVALID',
    ],
    ['no string at all', () => Promise.resolve(42), 'TOKEN_INVALID'],
  ])(
    'refuses %s, and the session still ends at the first expiry',
    async (_, token, code) => {
      const tab = await shortLived('refused');
      const gone = disconnected(tab);

      expect(await renew(tab, await token())).toMatchObject({
        ok: false,
        code,
      });

      expect(await gone).toBe('io server disconnect');
      expect(tab.events('token_expired')).toHaveLength(1);
    },
  );
});
