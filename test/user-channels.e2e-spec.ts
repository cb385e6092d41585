import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { RedisPropagatorService } from '../src/lib';
import type { AppInstance } from './support/app-instance';
import { startInstances } from './support/app-instance';
import { CHANNELS } from './support/channels';
import { connect, type TestClient } from './support/clients';
import { waitUntil, withDeadline } from './support/deadline';
import { flush, redisClient } from './support/redis-client';
import { type RedisServer, startRedisServer } from './support/redis-server';
import { useResources } from './support/resources';

const STORM_SIZE = 2_000;

/** How many instances are subscribed to the user's own channel. */
async function subscribers(redis: Redis, userId: string): Promise<number> {
  const [, count] = (await redis.pubsub('NUMSUB', CHANNELS.user(userId))) as [
    string,
    number,
  ];
  return count;
}

/** How many times Redis has run a command since the last CONFIG RESETSTAT. */
async function calls(redis: Redis, command: string): Promise<number> {
  const stats = await redis.info('commandstats');
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats);
  return match ? Number(match[1]) : 0;
}

const metricsOf = (instance: AppInstance) =>
  instance.app.get(RedisPropagatorService).getMetrics();

describe("a user's own channel", () => {
  const resources = useResources();
  let redisServer: RedisServer;
  let redis: Redis;
  let one: AppInstance;
  let two: AppInstance;

  beforeAll(async () => {
    redisServer = resources.forSuite(await startRedisServer(), (r) => r.stop());
    [one, two] = await startInstances(2, {
      REDIS_URL: redisServer.url,
      // The storm below comes from one address, faster than one client may.
      CONNECTION_RATE_PER_SECOND: '0',
    });
    resources.forSuite(one, (i) => i.close());
    resources.forSuite(two, (i) => i.close());
    redis = resources.forSuite(redisClient(redisServer.url), (c) => c.quit());
  });

  const client = async (instance: AppInstance, userId: string) =>
    resources.forTest(await connect(instance.url, { userId }), (c) =>
      c.close(),
    );

  it('is subscribed by the time the first socket connects, once for all the tabs, and unsubscribed after the last one', async () => {
    expect(await subscribers(redis, 'first-last')).toBe(0);

    const tabA = await client(one, 'first-last');
    expect(await subscribers(redis, 'first-last')).toBe(1);
    const tabB = await client(one, 'first-last');
    expect(await subscribers(redis, 'first-last')).toBe(1);
    expect(metricsOf(one).userChannels).toBe(1);

    tabA.close();
    await waitUntil(
      () => metricsOf(one).userChannels === 1 && tabA.socket.disconnected,
      'the first tab to leave',
    );
    expect(await subscribers(redis, 'first-last')).toBe(1);

    tabB.close();
    await waitUntil(
      async () => (await subscribers(redis, 'first-last')) === 0,
      'the channel to be unsubscribed after the last tab',
    );
    expect(metricsOf(one).userChannels).toBe(0);
  });

  it('answers a push with the number of instances that hold the user: 0, 1, then 2', async () => {
    const propagator = two.app.get(RedisPropagatorService);
    const push = () =>
      propagator.propagateEvent({ userId: 'counted', event: 'note' });

    expect(await push()).toBe(0);
    const tabA = await client(one, 'counted');
    expect(await push()).toBe(1);
    const tabB = await client(two, 'counted');
    expect(await push()).toBe(2);

    expect(await tabA.waitFor('note', 2)).toHaveLength(2);
    expect(await tabB.waitFor('note')).toHaveLength(1);
  });

  it('costs nothing on an instance without the user: Redis sends it nothing, and it decodes nothing', async () => {
    const tab = await client(one, 'only-on-one');
    const before = metricsOf(two).received;

    for (let n = 0; n < 50; n += 1) {
      await redis.publish(
        CHANNELS.user('only-on-one'),
        JSON.stringify({ event: 'note', data: n }),
      );
    }

    expect(await tab.waitFor('note', 50)).toHaveLength(50);
    expect(await subscribers(redis, 'only-on-one')).toBe(1);
    expect(metricsOf(two).received).toBe(before);
    expect(metricsOf(two).userChannels).toBe(0);
  });

  it("takes any service's PUBLISH on the channel, in the documented JSON, to every tab of the user and nobody else", async () => {
    const tabA = await client(one, 'raw');
    const tabB = await client(two, 'raw');
    const other = await client(two, 'someone-else');

    const reached = await redis.publish(
      CHANNELS.user('raw'),
      JSON.stringify({ event: 'note', data: { text: 'hi' } }),
    );

    expect(reached).toBe(2);
    expect(await tabA.waitFor('note')).toEqual([{ text: 'hi' }]);
    expect(await tabB.waitFor('note')).toEqual([{ text: 'hi' }]);
    await flush(redis, [tabA, tabB, other]);
    expect(other.events('note')).toEqual([]);
  });

  it(`batches the subscriptions of a storm of ${STORM_SIZE} users connecting and leaving`, async () => {
    await redis.config('RESETSTAT');

    const storm = await withDeadline(
      Promise.all(
        Array.from({ length: STORM_SIZE }, async (_, n) =>
          resources.forTest(
            // All at once, each may wait long: the storm's deadline bounds them.
            await connect(one.url, { userId: `storm-${n}`, timeoutMs: 30_000 }),
            (c) => c.close(),
          ),
        ),
      ),
      `${STORM_SIZE} connections`,
      30_000,
    );
    expect(metricsOf(one).userChannels).toBe(STORM_SIZE);
    expect(await subscribers(redis, `storm-${STORM_SIZE - 1}`)).toBe(1);
    for (const tab of storm) {
      tab.close();
    }
    await waitUntil(
      () => metricsOf(one).userChannels === 0,
      'every storm user to leave',
      30_000,
    );
    await waitUntil(
      async () => (await subscribers(redis, 'storm-0')) === 0,
      'the storm channels to be unsubscribed',
    );

    const subscribes = await calls(redis, 'subscribe');
    const unsubscribes = await calls(redis, 'unsubscribe');
    console.log(
      `${STORM_SIZE} users connected and left: ${subscribes} SUBSCRIBE and ${unsubscribes} UNSUBSCRIBE commands`,
    );
    expect(subscribes).toBeLessThanOrEqual(STORM_SIZE / 10);
    expect(unsubscribes).toBeLessThanOrEqual(STORM_SIZE / 10);
  });

  it("syncs the sender's other tabs on its own instance at once, even while Redis is frozen", async () => {
    const tabA = await client(one, 'same-instance');
    const tabB = await client(one, 'same-instance');
    const elsewhere = await client(two, 'same-instance');

    redisServer.freeze();
    try {
      tabA.socket.emit('events', 'while frozen');
      expect(await tabB.waitFor('events', 1, 1_000)).toEqual(['while frozen']);
      expect(elsewhere.events('events')).toEqual([]);
    } finally {
      redisServer.thaw();
    }
    expect(await elsewhere.waitFor('events')).toEqual(['while frozen']);
    await flush(redis, [tabA, tabB, elsewhere]);
    expect(tabB.events('events')).toEqual(['while frozen']);
  });

  it('is subscribed again after Redis restarts, and the next push arrives', async () => {
    const tab: TestClient = await client(one, 'restart');

    await redisServer.stop();
    await redisServer.start();
    await waitUntil(
      async () => (await fetch(`${one.url}/health`)).status === 200,
      '/health to report 200 after the restart',
      15_000,
    );
    await waitUntil(
      // The test's own client may still be reconnecting: ask again.
      async () => (await subscribers(redis, 'restart').catch(() => -1)) === 1,
      "the user's channel to be subscribed again",
    );

    expect(
      await redis.publish(
        CHANNELS.user('restart'),
        JSON.stringify({ event: 'note', data: 'after the restart' }),
      ),
    ).toBe(1);
    expect(await tab.waitFor('note')).toEqual(['after the restart']);
  });
});
