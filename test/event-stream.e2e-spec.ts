import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { EventSource } from 'eventsource';
import type { Redis } from 'ioredis';
import { RedisPropagatorService } from '../src/lib';
import {
  type AppInstance,
  startInstance,
  startInstances,
} from './support/app-instance';
import { CHANNELS } from './support/channels';
import { waitUntil, withDeadline } from './support/deadline';
import { useNginxCluster } from './support/nginx-cluster';
import { redisClient } from './support/redis-client';
import { startRedisServer } from './support/redis-server';
import { useResources } from './support/resources';
import { signToken } from './support/tokens';

/** The events an EventSource got, by name, with their ids. */
function listen(url: string, events: string[]) {
  const source = new EventSource(url);
  const received: { event: string; data: unknown; id: string }[] = [];
  const opened = new Promise<void>((resolve, reject) => {
    source.onopen = () => resolve();
    source.onerror = (error) => reject(new Error(error.message));
  });
  for (const event of events) {
    source.addEventListener(event, (message) =>
      received.push({
        event,
        data: JSON.parse(message.data) as unknown,
        id: message.lastEventId,
      }),
    );
  }
  return {
    source,
    received,
    opened: withDeadline(opened, `an event stream from ${url}`),
    waitFor: (count: number) =>
      waitUntil(() => received.length >= count, `${count} event(s) at ${url}`),
  };
}

const metricsOf = (instance: AppInstance) =>
  instance.app.get(RedisPropagatorService).getMetrics();

describe('GET /events/stream', () => {
  const resources = useResources();
  let one: AppInstance;
  let two: AppInstance;
  let redis: Redis;

  beforeAll(async () => {
    const server = resources.forSuite(await startRedisServer(), (r) =>
      r.stop(),
    );
    [one, two] = await startInstances(2, { REDIS_URL: server.url });
    resources.forSuite(one, (i) => i.close());
    resources.forSuite(two, (i) => i.close());
    redis = resources.forSuite(redisClient(server.url), (c) => c.quit());
  });

  it('streams to an EventSource a push made through another instance, and a broadcast with its id', async () => {
    const token = await signToken({ sub: 'sse-1' });
    const stream = listen(`${one.url}/events/stream?token=${token}`, [
      'notice',
      'news',
    ]);
    resources.forTest(stream.source, (s) => s.close());
    await stream.opened;

    await two.app
      .get(RedisPropagatorService)
      .propagateEvent({ userId: 'sse-1', event: 'notice', data: { n: 1 } });
    await two.app
      .get(RedisPropagatorService)
      .emitToAll({ event: 'news', data: 'all', id: 'news-1' });

    await stream.waitFor(2);
    await stream.waitFor(2);
    expect(stream.received).toEqual([
      { event: 'notice', data: { n: 1 }, id: '' },
      { event: 'news', data: 'all', id: 'news-1' },
    ]);
  });

  it('streams to curl -N, with the token in an Authorization header', async () => {
    const token = await signToken({ sub: 'sse-2' });
    const curl = spawn('curl', [
      '-sN',
      '-H',
      `Authorization: Bearer ${token}`,
      `${two.url}/events/stream`,
    ]);
    resources.forTest(curl, (child) => child.kill('SIGTERM'));
    let output = '';
    curl.stdout.setEncoding('utf8');
    curl.stdout.on('data', (chunk: string) => (output += chunk));
    await waitUntil(() => output.includes(': connected'), 'curl to connect');
    await waitUntil(
      () => metricsOf(two).userChannels > 0,
      "the user's channel to be held",
    );

    await one.app
      .get(RedisPropagatorService)
      .propagateEvent({ userId: 'sse-2', event: 'notice', data: 'via curl' });

    await waitUntil(() => output.includes('via curl'), 'the push at curl');
    expect(output).toContain('event: notice\ndata: "via curl"\n\n');
  });

  it('forgets a stream when its client goes away, and unsubscribes the user', async () => {
    const token = await signToken({ sub: 'sse-3' });
    const stream = listen(`${one.url}/events/stream?token=${token}`, []);
    await stream.opened;
    expect(metricsOf(one).eventStreams).toBe(1);
    expect(await redis.pubsub('NUMSUB', CHANNELS.user('sse-3'))).toEqual([
      CHANNELS.user('sse-3'),
      1,
    ]);

    stream.source.close();

    await waitUntil(
      () => metricsOf(one).eventStreams === 0,
      'the registry to be empty',
    );
    await waitUntil(
      async () =>
        (
          (await redis.pubsub('NUMSUB', CHANNELS.user('sse-3'))) as number[]
        )[1] === 0,
      "the user's channel to be unsubscribed",
    );
    expect(metricsOf(one).userChannels).toBe(0);
  });

  it.each([
    [
      'a token signed with another key',
      () => signToken({ sub: 'x' }, 'another-secret-of-at-least-32-bytes!!'),
      'TOKEN_INVALID',
    ],
    [
      'an expired token',
      () => signToken({ sub: 'x', expiresIn: -10 }),
      'TOKEN_EXPIRED',
    ],
  ])('refuses %s with 401 and the code sockets get', async (_, token, code) => {
    const response = await fetch(
      `${one.url}/events/stream?token=${await token()}`,
    );

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      statusCode: 401,
      message: 'unauthorized',
      code,
    });
  });

  it('refuses a listener without a token when anonymous ones are not allowed, and takes one when they are', async () => {
    const closed = resources.forTest(
      await startInstance({ ALLOW_ANONYMOUS: 'false' }),
      (i) => i.close(),
    );
    const refused = await fetch(`${closed.url}/events/stream`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'TOKEN_MISSING' });

    const anonymous = listen(`${one.url}/events/stream`, ['news']);
    resources.forTest(anonymous.source, (s) => s.close());
    await anonymous.opened;
    await one.app
      .get(RedisPropagatorService)
      .emitToAuthenticated({ event: 'news', data: 'members' });
    await one.app
      .get(RedisPropagatorService)
      .emitToAll({ event: 'news', data: 'everyone' });
    await anonymous.waitFor(1);
    expect(anonymous.received.map((e) => e.data)).toEqual(['everyone']);
  });

  it('ends the stream when the token expires, with a token_expired event', async () => {
    const token = await signToken({ sub: 'sse-4', expiresIn: 2 });
    const response = await fetch(`${one.url}/events/stream?token=${token}`);
    const text = await withDeadline(
      response.text(),
      'the stream to end at the expiry',
      5_000,
    );

    expect(text).toBe(': connected\n\nevent: token_expired\ndata: {}\n\n');
    await waitUntil(
      () => metricsOf(one).eventStreams === 0,
      'the registry to be empty',
    );
  });
});

describe('GET /events/stream through nginx', () => {
  const resources = useResources();
  const HEARTBEAT_MS = 3_000;
  const fixture = useNginxCluster(resources, 3, {
    env: { SSE_HEARTBEAT_MS: String(HEARTBEAT_MS) },
  });

  it('passes each event on at once, well before a heartbeat could flush a buffer', async () => {
    const token = await signToken({ sub: 'sse-n' });
    const controller = new AbortController();
    resources.forTest(controller, (c) => c.abort());
    const response = await fetch(
      `${fixture.cluster.url}/events/stream?token=${token}`,
      { signal: controller.signal },
    );
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before "${needle}"`);
        text += decoder.decode(value);
      }
    };
    await withDeadline(readUntil(': connected'), 'the stream to open');
    // The listener's instance subscribes to its channel before the stream opens.
    const started = Date.now();
    await fixture.publisher.publish(
      CHANNELS.user('sse-n'),
      JSON.stringify({ event: 'notice', data: 'through nginx' }),
    );
    await withDeadline(readUntil('through nginx'), 'the event', HEARTBEAT_MS);
    const elapsed = Date.now() - started;
    console.log(
      `an event crossed nginx in ${elapsed} ms (heartbeat every ${HEARTBEAT_MS} ms)`,
    );

    expect(elapsed).toBeLessThan(HEARTBEAT_MS / 3);
    await withDeadline(
      readUntil(': heartbeat'),
      'a heartbeat',
      HEARTBEAT_MS * 2,
    );
  });
});
