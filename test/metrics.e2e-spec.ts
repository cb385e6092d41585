import { describe, expect, it } from '@jest/globals';
import { RedisPropagatorService } from '../src/lib';
import { startInstance } from './support/app-instance';
import { CHANNELS } from './support/channels';
import { connect, connectRefused } from './support/clients';
import { waitUntil } from './support/deadline';
import { scrape } from './support/metrics';
import { redisClient } from './support/redis-client';
import { startRedisServer } from './support/redis-server';
import { useResources } from './support/resources';

const TOKEN = 'a-metrics-token-for-the-tests';

/** Every metric the README lists, and that the dashboard may query. */
export const DOCUMENTED_METRICS = [
  'propagator_sockets',
  'propagator_authenticated_users',
  'propagator_user_channels',
  'propagator_event_streams',
  'propagator_messages_published_total',
  'propagator_messages_consumed_total',
  'propagator_messages_delivered_total',
  'propagator_messages_dropped_total',
  'propagator_messages_refused_total',
  'propagator_messages_duplicate_total',
  'propagator_publish_failures_total',
  'propagator_publish_duration_seconds',
  'propagator_delivery_failures_total',
  'propagator_redis_up',
  'propagator_redis_reconnects_total',
  'propagator_events_refused_total',
  'propagator_disconnects_total',
  'propagator_connections_refused_total',
  'nodejs_eventloop_lag_seconds',
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_heap_size_used_bytes',
];

describe('GET /metrics', () => {
  const resources = useResources();

  it('is Prometheus text with every documented metric, and each moves with its event', async () => {
    const redis = resources.forTest(await startRedisServer(), (r) => r.stop());
    const instance = resources.forTest(
      await startInstance({ REDIS_URL: redis.url }),
      (i) => i.close(),
    );
    const publisher = resources.forTest(redisClient(redis.url), (c) =>
      c.quit(),
    );

    const first = await scrape(instance.url);
    expect(first.names).toEqual(expect.arrayContaining(DOCUMENTED_METRICS));
    expect(first.value('propagator_redis_up')).toBe(1);
    expect(first.value('propagator_sockets', { namespace: '/' })).toBe(0);

    const tabA = resources.forTest(
      await connect(instance.url, { userId: 'metrics-1' }),
      (c) => c.close(),
    );
    const tabB = resources.forTest(
      await connect(instance.url, { userId: 'metrics-1' }),
      (c) => c.close(),
    );
    await publisher.publish(
      CHANNELS.user('metrics-1'),
      JSON.stringify({ event: 'push', data: 'counted' }),
    );
    await tabA.waitFor('push');
    await tabB.waitFor('push');
    expect(await tabA.emitWithAck('events', 'hello')).toBe('hello');
    await tabB.waitFor('events');
    await connectRefused(instance.url, { token: 'not-a-token' });
    await publisher.publish(CHANNELS.emitAll, '{not json');
    await publisher.publish(CHANNELS.emitAll, JSON.stringify({ event: 'ok' }));
    await tabA.waitFor('ok');

    const second = await scrape(instance.url);
    expect(second.value('propagator_sockets', { namespace: '/' })).toBe(2);
    expect(second.value('propagator_authenticated_users')).toBe(1);
    expect(second.value('propagator_user_channels')).toBe(1);
    const user = { kind: 'user' };
    expect(second.value('propagator_messages_consumed_total', user)).toBe(1);
    // The push to two tabs, then the sender's event to its other tab.
    expect(second.value('propagator_messages_delivered_total', user)).toBe(3);
    expect(second.value('propagator_messages_published_total', user)).toBe(1);
    expect(second.value('propagator_publish_duration_seconds')).toBe(1);
    expect(
      second.value('propagator_messages_dropped_total', {
        kind: 'all',
        reason: 'not_json',
      }),
    ).toBe(1);
    expect(
      second.value('propagator_messages_delivered_total', { kind: 'all' }),
    ).toBe(2);
    expect(
      second.value('propagator_connections_refused_total', {
        code: 'TOKEN_INVALID',
      }),
    ).toBe(1);

    await redis.stop();
    await waitUntil(
      async () =>
        (await scrape(instance.url)).value('propagator_redis_up') === 0,
      'propagator_redis_up to fall to 0',
    );
    await expect(
      instance.app
        .get(RedisPropagatorService)
        .propagateEvent({ userId: 'metrics-1', event: 'lost' }),
    ).rejects.toThrow();
    expect(
      (await scrape(instance.url)).value('propagator_publish_failures_total'),
    ).toBe(1);
    await redis.start();
    await waitUntil(
      async () =>
        (await scrape(instance.url)).value('propagator_redis_up') === 1,
      'propagator_redis_up to be 1 again',
    );
    expect(
      (await scrape(instance.url)).value('propagator_redis_reconnects_total'),
    ).toBeGreaterThanOrEqual(2);
  });

  it('asks for the METRICS_TOKEN when one is set', async () => {
    const instance = resources.forTest(
      await startInstance({ METRICS_TOKEN: TOKEN }),
      (i) => i.close(),
    );

    expect((await fetch(`${instance.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${instance.url}/metrics`, {
      headers: { authorization: 'Bearer not-the-metrics-token' },
    });
    expect(wrong.status).toBe(403);
    expect((await scrape(instance.url, TOKEN)).has('propagator_sockets')).toBe(
      true,
    );
  });

  it('does not exist in production without a METRICS_TOKEN', async () => {
    const instance = resources.forTest(
      await startInstance({ NODE_ENV: 'production' }),
      (i) => i.close(),
    );

    expect((await fetch(`${instance.url}/metrics`)).status).toBe(404);
  });
});
