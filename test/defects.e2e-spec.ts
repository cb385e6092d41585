import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { RedisPropagatorService, SocketStateService } from '../src/lib';
import { createApp } from '../src/app/bootstrap';
import { loadAppConfig } from '../src/app/config/app-config';
import {
  type AppInstance,
  startInstance,
  startInstances,
  TEST_JWT_SECRET,
} from './support/app-instance';
import { connect } from './support/clients';
import { useCluster } from './support/cluster';
import { waitUntil, withDeadline } from './support/deadline';
import { flush } from './support/redis-client';
import { type RedisServer, startRedisServer } from './support/redis-server';
import { RedisService } from '../src/lib/redis/redis.service';
import { CHANNELS } from './support/channels';
import { useResources } from './support/resources';

/**
 * One regression test for each defect of the article's code (DESIGN.md):
 * each fails on the article's behaviour.
 */
describe('defects of the article that must not come back', () => {
  const resources = useResources();
  const cluster = useCluster(resources, 2);
  let redis: RedisServer;
  let publisher: Redis;
  let one: AppInstance;
  let two: AppInstance;

  beforeAll(() => {
    ({ redis, publisher } = cluster);
    [one, two] = cluster.instances;
  });

  const client = (instance: AppInstance, userId?: string, namespace?: string) =>
    cluster.client(instance, { userId, namespace });

  async function subscriberCount(channel: string): Promise<number> {
    const reply = (await publisher.pubsub('NUMSUB', channel)) as [
      string,
      number,
    ];
    return Number(reply[1]);
  }

  it('1: getAll is one flat list of sockets, and emit-to-authenticated reaches them all', async () => {
    const tabs = [
      await client(one, '1'),
      await client(one, '1'),
      await client(one, '2'),
    ];

    const all = one.app.get(SocketStateService).getAll();
    expect(all).toHaveLength(3);
    for (const socket of all) {
      expect(typeof socket.emit).toBe('function');
    }
    await publisher.publish(
      CHANNELS.emitAuthenticated,
      JSON.stringify({ event: 'members', data: 1 }),
    );
    for (const tab of tabs) {
      expect(await tab.waitFor('members')).toEqual([1]);
    }
  });

  it('2: a bad message on any channel neither unsubscribes the instance nor stops the next message', async () => {
    const tab = await client(two, '42');
    const channels = [
      CHANNELS.send,
      CHANNELS.emitAll,
      CHANNELS.emitAuthenticated,
    ];

    for (const channel of channels) {
      await publisher.publish(channel, '{ not json');
    }
    for (const channel of channels) {
      await publisher.publish(
        channel,
        JSON.stringify({ userId: '42', event: 'after', data: channel }),
      );
    }

    expect(await tab.waitFor('after', 3)).toEqual(channels);
    for (const channel of channels) {
      expect(await subscriberCount(channel)).toBe(2);
    }
  });

  it('3: a channel has one subscription however often it is consumed, and none once unsubscribed', async () => {
    const service = one.app.get(RedisService);
    const channel = 'regression-3';
    for (let i = 0; i < 20; i += 1) {
      service.fromEvent(channel).subscribe().unsubscribe();
    }
    const received: string[] = [];
    const subscription = service
      .fromEvent(channel)
      .subscribe((payload) => received.push(payload.toString()));
    await waitUntil(
      async () => (await subscriberCount(channel)) === 1,
      'the subscription',
    );

    await publisher.publish(channel, 'once');
    await waitUntil(() => received.length > 0, 'the message');
    await publisher.publish(channel, 'twice?');
    await waitUntil(() => received.length > 1, 'the second message');

    expect(received).toEqual(['once', 'twice?']);
    subscription.unsubscribe();
    await waitUntil(
      async () => (await subscriberCount(channel)) === 0,
      'the unsubscription',
    );
  });

  it('4: an acknowledgement is never published, and the other tabs stay connected', async () => {
    const tabA = await client(one, '42');
    const tabB = await client(two, '42');
    const published = one.app
      .get(RedisPropagatorService)
      .getMetrics().published;

    expect(await tabA.emitWithAck('echo', 'ack me')).toEqual({
      received: 'ack me',
    });

    await flush(publisher, [tabA, tabB]);
    expect(one.app.get(RedisPropagatorService).getMetrics().published).toBe(
      published,
    );
    expect(tabB.events('undefined')).toEqual([]);
    expect(tabB.socket.connected).toBe(true);
    tabA.socket.emit('events', 'still in sync');
    expect(await tabB.waitFor('events')).toEqual(['still in sync']);
  });

  it('5: the user is the one the token names, not a fixed id', async () => {
    const seven = await client(one, '7');

    await publisher.publish(
      CHANNELS.send,
      JSON.stringify({ userId: '1234', event: 'notification', data: 'wrong' }),
    );
    await publisher.publish(
      CHANNELS.send,
      JSON.stringify({ userId: '7', event: 'notification', data: 'right' }),
    );

    expect(await seven.waitFor('notification')).toEqual(['right']);
    expect(one.app.get(SocketStateService).get('1234')).toEqual([]);
  });

  it('6: a second namespace is served by the same server, and each socket is registered once', async () => {
    const main = await client(one, '42');
    const notifications = await client(one, '42', '/notifications');

    expect(one.app.get(SocketStateService).get('42')).toHaveLength(2);
    await publisher.publish(
      CHANNELS.send,
      JSON.stringify({
        userId: '42',
        event: 'notification',
        data: 'ns',
        namespace: '/notifications',
      }),
    );
    expect(await notifications.waitFor('notification')).toEqual(['ns']);
    await flush(publisher, [main]);
    await flush(publisher, [notifications], '/notifications');
    expect(notifications.events('notification')).toEqual(['ns']);
    expect(main.events('notification')).toEqual([]);
  });

  it('7: emitToAll reaches every instance and namespace it names, and does not throw before a server exists', async () => {
    const onOne = await client(one);
    const onTwo = await client(two);
    const notifications = await client(two, undefined, '/notifications');

    await one.app
      .get(RedisPropagatorService)
      .emitToAll({ event: 'all', data: 'main' });
    await one.app.get(RedisPropagatorService).emitToAll({
      event: 'all',
      data: 'notifications',
      namespace: '/notifications',
    });

    expect(await onOne.waitFor('all')).toEqual(['main']);
    expect(await onTwo.waitFor('all')).toEqual(['main']);
    expect(await notifications.waitFor('all')).toEqual(['notifications']);

    const unstarted = await createApp(
      loadAppConfig({ JWT_SECRET: TEST_JWT_SECRET, REDIS_URL: redis.url }),
      { logger: false },
    );
    resources.forTest(unstarted, (app) => app.close());
    await expect(
      unstarted.get(RedisPropagatorService).emitToAll({ event: 'early' }),
    ).resolves.toEqual(expect.any(Number));
  });

  it('9: app.close() quits both Redis connections and leaves no subscriber behind', async () => {
    const before = await subscriberCount(CHANNELS.send);
    const extra = await startInstance({ REDIS_URL: redis.url });
    const tab = await connect(extra.url, { userId: '42' });
    await waitUntil(
      async () => (await subscriberCount(CHANNELS.send)) === before + 1,
      'the new instance to subscribe',
    );
    const disconnected = new Promise((resolve) =>
      tab.socket.once('disconnect', resolve),
    );

    await extra.close();

    await withDeadline(disconnected, 'the client to be disconnected');
    expect(await subscriberCount(CHANNELS.send)).toBe(before);
  });
});

describe('defect 8: Redis errors and failed publishes', () => {
  const resources = useResources();

  it('survives a Redis outage: 503, the sender still gets its response, then 200 and sync resume', async () => {
    const redis = resources.forTest(await startRedisServer(), (r) => r.stop());
    const [one, two] = await startInstances(2, { REDIS_URL: redis.url });
    resources.forTest(one, (i) => i.close());
    resources.forTest(two, (i) => i.close());
    const tabA = resources.forTest(
      await connect(one.url, { userId: '42' }),
      (c) => c.close(),
    );
    const tabB = resources.forTest(
      await connect(two.url, { userId: '42' }),
      (c) => c.close(),
    );
    expect((await fetch(`${one.url}/health`)).status).toBe(200);

    await redis.stop();

    await waitUntil(
      async () => (await fetch(`${one.url}/health`)).status === 503,
      '/health to report 503',
    );
    expect(await (await fetch(`${one.url}/health`)).json()).toEqual({
      status: 'unavailable',
      transport: 'redis',
      instance: one.id,
    });
    tabA.socket.emit('events', 'during the outage');
    expect(await tabA.waitFor('events')).toEqual(['during the outage']);
    await waitUntil(
      () => one.app.get(RedisPropagatorService).getMetrics().publishFailed > 0,
      'the failed publish to be counted',
      10_000,
    );

    await redis.start();

    for (const instance of [one, two]) {
      await waitUntil(
        async () => (await fetch(`${instance.url}/health`)).status === 200,
        '/health to report 200 again',
        15_000,
      );
    }
    tabA.socket.emit('events', 'after the outage');
    expect(
      await tabB.waitForMatch('events', (d) => d === 'after the outage'),
    ).toBe('after the outage');
  });
});
