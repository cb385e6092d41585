import { describe, expect, it } from '@jest/globals';
import { RedisPropagatorService } from '../src/lib';
import {
  type AppInstance,
  startInstance,
  startInstances,
} from './support/app-instance';
import { startAppProcess } from './support/app-process';
import { CHANNELS } from './support/channels';
import { connect } from './support/clients';
import { waitUntil } from './support/deadline';
import { redisClient } from './support/redis-client';
import { startRedisServer } from './support/redis-server';
import { useResources } from './support/resources';

const status = async (instance: { url: string }) =>
  (await fetch(`${instance.url}/health`)).status;

describe('Redis faults', () => {
  const resources = useResources();

  const client = async (instance: AppInstance, userId: string) =>
    resources.forTest(await connect(instance.url, { userId }), (c) =>
      c.close(),
    );

  it('survives Redis being killed: 503 within 2 s, the sender still answered, then recovery under 3 s', async () => {
    const redis = resources.forTest(await startRedisServer(), (r) => r.stop());
    const [one, two] = await startInstances(2, { REDIS_URL: redis.url });
    resources.forTest(one, (i) => i.close());
    resources.forTest(two, (i) => i.close());
    const tabA = await client(one, 'fault-1');
    const tabB = await client(two, 'fault-1');

    await redis.stop();
    const killedAt = Date.now();
    await waitUntil(
      async () => (await status(one)) === 503 && (await status(two)) === 503,
      '/health to answer 503 on both instances',
      2_000,
    );
    const unhealthyAfter = Date.now() - killedAt;
    expect(await tabA.emitWithAck('events', 'during')).toBe('during');
    await waitUntil(
      () => one.app.get(RedisPropagatorService).getMetrics().publishFailed > 0,
      'the failed propagation to be counted',
    );

    await redis.start();
    const backAt = Date.now();
    await waitUntil(
      async () => (await status(one)) === 200 && (await status(two)) === 200,
      '/health to answer 200 on both instances',
      3_000,
    );
    const recoveredAfter = Date.now() - backAt;
    console.log(
      `Redis killed: /health 503 after ${unhealthyAfter} ms; restarted: 200 on both instances after ${recoveredAfter} ms`,
    );
    expect(recoveredAfter).toBeLessThan(3_000);
    const publisher = resources.forTest(redisClient(redis.url), (c) =>
      c.quit(),
    );
    await waitUntil(
      async () =>
        (await publisher
          .publish(
            CHANNELS.user('fault-1'),
            JSON.stringify({ event: 'push', data: 'after' }),
          )
          .catch(() => 0)) === 2,
      "both instances to hold the user's channel again",
      3_000,
    );
    expect(await tabA.waitForMatch('push', (d) => d === 'after')).toBe('after');
    expect(await tabB.waitForMatch('push', (d) => d === 'after')).toBe('after');
  });

  it('resumes delivery by itself when only its subscriber connection is killed', async () => {
    const redis = resources.forTest(await startRedisServer(), (r) => r.stop());
    const instance = resources.forTest(
      await startInstance({ REDIS_URL: redis.url }),
      (i) => i.close(),
    );
    const tab = await client(instance, 'fault-2');
    const admin = resources.forTest(redisClient(redis.url), (c) => c.quit());

    expect(
      (await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')) as number,
    ).toBeGreaterThan(0);
    const killedAt = Date.now();
    await waitUntil(
      async () =>
        (await admin.publish(
          CHANNELS.user('fault-2'),
          JSON.stringify({ event: 'push', data: 'resumed' }),
        )) === 1,
      "the user's channel to be subscribed again",
      3_000,
    );
    console.log(
      `subscriber connection killed: resubscribed after ${Date.now() - killedAt} ms`,
    );
    expect(await tab.waitForMatch('push', (d) => d === 'resumed')).toBe(
      'resumed',
    );
  });

  it('starts while Redis is unreachable, reports 503, and becomes ready by itself when Redis comes', async () => {
    const redis = resources.forTest(await startRedisServer(), (r) => r.stop());
    await redis.stop();
    const instance = resources.forTest(
      await startInstance(
        { REDIS_URL: redis.url },
        // Start-up waits this long for Redis before it goes on without it.
        { readyTimeoutMs: 500 },
      ),
      (i) => i.close(),
    );
    expect(await status(instance)).toBe(503);

    await redis.start();
    await waitUntil(
      async () => (await status(instance)) === 200,
      '/health to answer 200 once Redis is there',
      5_000,
    );
    const tab = await client(instance, 'fault-3');
    const publisher = resources.forTest(redisClient(redis.url), (c) =>
      c.quit(),
    );
    expect(
      await publisher.publish(
        CHANNELS.user('fault-3'),
        JSON.stringify({ event: 'push', data: 'ready' }),
      ),
    ).toBe(1);
    expect(await tab.waitFor('push')).toEqual(['ready']);
  });
});

describe('an instance crashes', () => {
  const resources = useResources();

  it("takes its users' channels with it, and the other instance keeps delivering", async () => {
    const redis = resources.forTest(await startRedisServer(), (r) => r.stop());
    const survivor = resources.forTest(
      await startInstance({ REDIS_URL: redis.url }),
      (i) => i.close(),
    );
    const doomed = resources.forTest(
      await startAppProcess('doomed', { REDIS_URL: redis.url }),
      (p) => p.stop(),
    );
    const onDoomed = resources.forTest(
      await connect(doomed.url, { userId: 'crash-1' }),
      (c) => c.close(),
    );
    const onSurvivor = resources.forTest(
      await connect(survivor.url, { userId: 'crash-1' }),
      (c) => c.close(),
    );
    const admin = resources.forTest(redisClient(redis.url), (c) => c.quit());
    const numsub = async () =>
      ((await admin.pubsub('NUMSUB', CHANNELS.user('crash-1'))) as number[])[1];
    expect(await numsub()).toBe(2);
    expect(onDoomed.socket.connected).toBe(true);

    doomed.process.kill('SIGKILL');
    await doomed.process.exited;

    await waitUntil(
      async () => (await numsub()) === 1,
      "the crashed instance's subscription to leave Redis",
    );
    expect(
      await admin.publish(
        CHANNELS.user('crash-1'),
        JSON.stringify({ event: 'push', data: 'still here' }),
      ),
    ).toBe(1);
    expect(await onSurvivor.waitFor('push')).toEqual(['still here']);
  });
});
