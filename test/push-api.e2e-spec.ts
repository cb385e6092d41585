import { beforeAll, describe, expect, it } from '@jest/globals';
import { type AppInstance, startInstance } from './support/app-instance';
import { addressesOnDistinctInstances } from './support/client-address';
import { connect } from './support/clients';
import { useNginxCluster } from './support/nginx-cluster';
import { startRedisServer } from './support/redis-server';
import { useResources } from './support/resources';

const KEY = 'push-api-key-for-the-tests-0123456789';
const MAX_PAYLOAD_BYTES = 4_096;

/** POSTs a push, with the key unless told otherwise. */
async function push(
  url: string,
  body: unknown,
  /** null sends no Authorization header. */
  authorization: string | null = `Bearer ${KEY}`,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/push`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(authorization === null ? {} : { Authorization: authorization }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('POST /push', () => {
  const resources = useResources();
  let instance: AppInstance;

  beforeAll(async () => {
    const redis = resources.forSuite(await startRedisServer(), (r) => r.stop());
    instance = resources.forSuite(
      await startInstance({
        REDIS_URL: redis.url,
        PUSH_API_KEY: KEY,
        MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES),
      }),
      (i) => i.close(),
    );
  });

  it('accepts a push with 202 and the number of instances that took it', async () => {
    const tab = resources.forTest(
      await connect(instance.url, { userId: 'api-1' }),
      (c) => c.close(),
    );

    const answer = await push(instance.url, {
      target: 'user',
      userId: 'api-1',
      event: 'notice',
      data: { text: 'hi' },
    });

    expect(answer).toEqual({ status: 202, body: { instances: 1 } });
    expect(await tab.waitFor('notice')).toEqual([{ text: 'hi' }]);
  });

  it('pushes to a room, once per id, and refuses a room name the contract refuses', async () => {
    const tab = resources.forTest(
      await connect(instance.url, { userId: 'api-room' }),
      (c) => c.close(),
    );
    await tab.socket.timeout(5_000).emitWithAck('chat:join', { roomId: 'api' });
    const body = (data: number) => ({
      target: 'room',
      room: 'chat:api',
      event: 'notice',
      data,
      id: 'api-room-1',
    });

    expect(await push(instance.url, body(1))).toEqual({
      status: 202,
      body: { instances: 1 },
    });
    expect(await push(instance.url, body(2))).toEqual({
      status: 202,
      body: { instances: 0 },
    });
    expect(await tab.waitFor('notice')).toEqual([1]);
    const refused = await push(instance.url, {
      target: 'room',
      room: 'r'.repeat(257),
      event: 'notice',
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain(
      'is longer than 256 characters',
    );
    const misplaced = await push(instance.url, {
      target: 'all',
      room: 'chat:api',
      event: 'notice',
    });
    expect(JSON.stringify(misplaced.body)).toContain(
      'is only for target \\"room\\"',
    );
  });

  it('delivers an id once: the same id again is accepted and reaches nobody', async () => {
    const tab = resources.forTest(
      await connect(instance.url, { userId: 'api-3' }),
      (c) => c.close(),
    );
    const body = (data: number, id: string) => ({
      target: 'user',
      userId: 'api-3',
      event: 'once',
      data,
      id,
    });

    expect(await push(instance.url, body(1, 'api-id-1'))).toEqual({
      status: 202,
      body: { instances: 1 },
    });
    expect(await push(instance.url, body(2, 'api-id-1'))).toEqual({
      status: 202,
      body: { instances: 0 },
    });
    expect((await push(instance.url, body(3, 'api-id-2'))).status).toBe(202);

    expect(await tab.waitFor('once', 2)).toEqual([1, 3]);
    expect(
      (await push(instance.url, { target: 'all', event: 'after' })).status,
    ).toBe(202);
    await tab.waitFor('after');
    expect(tab.events('once')).toEqual([1, 3]);
  });

  it('answers 401 without a key and 403 with a wrong one, and pushes nothing', async () => {
    const tab = resources.forTest(
      await connect(instance.url, { userId: 'api-2' }),
      (c) => c.close(),
    );
    const body = { target: 'all', event: 'refused' };

    expect(await push(instance.url, body, null)).toMatchObject({
      status: 401,
      body: {
        message: 'send the push API key as "Authorization: Bearer <key>"',
      },
    });
    expect(await push(instance.url, body, 'Bearer not-the-key')).toMatchObject({
      status: 403,
      body: { message: 'the push API key is wrong' },
    });
    expect(await push(instance.url, body, KEY)).toMatchObject({
      status: 401,
    });
    // A push accepted after them arrives; the refused ones never do.
    expect(
      (await push(instance.url, { target: 'all', event: 'after' })).status,
    ).toBe(202);
    await tab.waitFor('after');
    expect(tab.events('refused')).toEqual([]);
  });

  it('answers 400 listing every invalid field', async () => {
    expect(
      await push(instance.url, {
        target: 'user',
        event: 'disconnect',
        namespace: '',
        colour: 'red',
      }),
    ).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid fields: colour, userId, event, namespace',
        fields: {
          colour: 'is not a field of a push',
          userId: 'must be a non-empty string or an integer',
          event: 'may not be "disconnect", which Socket.IO reserves',
          namespace: 'must be a non-empty string',
        },
      },
    });
    expect(
      await push(instance.url, { target: 'everyone', event: 'a', userId: '1' }),
    ).toMatchObject({
      status: 400,
      body: {
        fields: {
          target: 'must be "user", "room", "all" or "authenticated"',
          userId: 'is only for target "user"',
        },
      },
    });
    expect((await push(instance.url, '{not json')).status).toBe(400);
  });

  it('answers 413 for a body over the limit', async () => {
    const answer = await push(instance.url, {
      target: 'all',
      event: 'big',
      data: 'x'.repeat(MAX_PAYLOAD_BYTES),
    });

    expect(answer.status).toBe(413);
  });

  it('answers 503 within 2 s while Redis is down, and 202 again once it is back', async () => {
    const redis = resources.forTest(await startRedisServer(), (r) => r.stop());
    const other = resources.forTest(
      await startInstance({ REDIS_URL: redis.url, PUSH_API_KEY: KEY }),
      (i) => i.close(),
    );
    const body = { target: 'all', event: 'outage' };
    expect((await push(other.url, body)).status).toBe(202);

    await redis.stop();
    const started = Date.now();
    const answer = await push(other.url, body);
    const elapsed = Date.now() - started;
    console.log(
      `POST /push answered ${answer.status} after ${elapsed} ms with Redis down`,
    );

    expect(answer.status).toBe(503);
    expect(elapsed).toBeLessThan(2_000);
    await redis.start();
    const giveUpAt = Date.now() + 15_000;
    let status = 0;
    while (status !== 202 && Date.now() < giveUpAt) {
      status = (await push(other.url, body)).status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(202);
  });

  it('does not exist without PUSH_API_KEY', async () => {
    const keyless = resources.forTest(await startInstance(), (i) => i.close());

    expect(
      (await push(keyless.url, { target: 'all', event: 'a' })).status,
    ).toBe(404);
  });
});

describe('POST /push through nginx', () => {
  const resources = useResources();
  const fixture = useNginxCluster(resources, 3, { env: { PUSH_API_KEY: KEY } });

  it("reaches a user's tabs on two instances, whichever instance nginx sends it to", async () => {
    const [[, addressA], [, addressB]] = [
      ...(await addressesOnDistinctInstances(fixture.cluster.url, 3)),
    ];
    const tabA = await fixture.client({
      userId: 'api-n',
      localAddress: addressA,
    });
    const tabB = await fixture.client({
      userId: 'api-n',
      localAddress: addressB,
    });
    expect((await tabA.whoami()).instance).not.toBe(
      (await tabB.whoami()).instance,
    );

    const answer = await push(fixture.cluster.url, {
      target: 'user',
      userId: 'api-n',
      event: 'notice',
      data: 'through nginx',
    });

    expect(answer).toEqual({ status: 202, body: { instances: 2 } });
    expect(await tabA.waitFor('notice')).toEqual(['through nginx']);
    expect(await tabB.waitFor('notice')).toEqual(['through nginx']);
  });
});
