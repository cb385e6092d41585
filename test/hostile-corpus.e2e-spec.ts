import { describe, expect, it } from '@jest/globals';
import { type AppProcess, startAppProcess } from './support/app-process';
import { CHANNELS } from './support/channels';
import { connect, type TestClient } from './support/clients';
import {
  type CorpusChannel,
  hostileCorpus,
  VICTIM,
} from './support/hostile-corpus';
import { waitUntil } from './support/deadline';
import { scrape } from './support/metrics';
import {
  clusterClient,
  clusterPublisher,
  firstNodeClient,
  startTestCluster,
} from './support/redis-cluster';
import { redisClient } from './support/redis-client';
import { startRedisServer } from './support/redis-server';
import { useResources } from './support/resources';

const channelOf: Record<CorpusChannel, string> = {
  send: CHANNELS.send,
  all: CHANNELS.emitAll,
  authenticated: CHANNELS.emitAuthenticated,
  user: CHANNELS.user(VICTIM),
};

/** A valid message for the channel, carrying its sequence number. */
function valid(channel: CorpusChannel, n: number): string {
  const message = { event: 'valid', data: { n, channel } };
  return JSON.stringify(
    channel === 'send' ? { ...message, userId: VICTIM } : message,
  );
}

const droppedTotal = async (app: AppProcess) => {
  const metrics = await scrape(app.url);
  const family = metrics.samples('propagator_messages_dropped_total');
  return family.reduce((sum, sample) => sum + sample.value, 0);
};

type Resources = ReturnType<typeof useResources>;

/** Where the two instances meet, and how a service publishes there. */
const BACKENDS = [
  {
    name: 'one Redis',
    keepsOrder: true,
    timeoutMs: 30_000,
    async start(resources: Resources) {
      const redis = resources.forTest(await startRedisServer(), (r) =>
        r.stop(),
      );
      const client = resources.forTest(redisClient(redis.url), (c) => c.quit());
      return { env: { REDIS_URL: redis.url }, publisher: client };
    },
  },
  {
    name: 'a Redis Cluster',
    keepsOrder: false,
    timeoutMs: 90_000,
    async start(resources: Resources) {
      const cluster = resources.forTest(await startTestCluster(), (c) =>
        c.stop(),
      );
      const client = resources.forTest(clusterClient(cluster), (c) => c.quit());
      const node = resources.forTest(firstNodeClient(cluster), (c) => c.quit());
      return {
        env: { REDIS_CLUSTER_NODES: cluster.seeds.join(',') },
        publisher: clusterPublisher(client, node),
      };
    },
  },
];

describe.each(BACKENDS)(
  'a hostile-input corpus on every channel, with two instances on $name',
  (backend) => {
    const resources = useResources();

    it(
      'drops and counts each bad payload, and delivers every valid one between them exactly once',
      async () => {
        const corpus = hostileCorpus();
        expect(corpus.length).toBeGreaterThanOrEqual(60);
        const { env, publisher } = await backend.start(resources);
        const apps = await Promise.all(
          ['corpus-1', 'corpus-2'].map(async (name) =>
            resources.forTest(await startAppProcess(name, env), (a) =>
              a.stop(),
            ),
          ),
        );
        const client = async (app: AppProcess, userId?: string) =>
          resources.forTest(await connect(app.url, { userId }), (c) =>
            c.close(),
          );
        const victims = [
          await client(apps[0], VICTIM),
          await client(apps[1], VICTIM),
        ];
        const anonymous = [await client(apps[0]), await client(apps[1])];
        const everyone: TestClient[] = [...victims, ...anonymous];
        const disconnects: string[] = [];
        everyone.forEach((c, i) =>
          c.socket.on('disconnect', (reason) =>
            disconnects.push(`${i}: ${reason}`),
          ),
        );
        const droppedBefore = await Promise.all(apps.map(droppedTotal));

        const sent: { n: number; channel: CorpusChannel }[] = [];
        for (const [n, bad] of corpus.entries()) {
          await publisher.publish(channelOf[bad.channel], bad.payload);
          await publisher.publish(
            channelOf[bad.channel],
            valid(bad.channel, n),
          );
          sent.push({ n, channel: bad.channel });
        }
        const received = (c: TestClient) =>
          c.events('valid').map((data) => (data as { n: number }).n);
        const all = sent.map(({ n }) => n);
        const broadcasts = sent
          .filter(({ channel }) => channel === 'all')
          .map(({ n }) => n);
        const expected = (c: TestClient) =>
          victims.includes(c) ? all : broadcasts;
        const missing = () =>
          everyone.map((c, i) => {
            const got = new Set(received(c));
            const lost = expected(c).filter((n) => !got.has(n));
            return `client ${i}: ${lost.map((n) => `${n} (${corpus[n]?.name ?? 'last'})`).join(', ')}`;
          });
        await waitUntil(
          () => everyone.every((c) => received(c).length >= expected(c).length),
          'every valid message to arrive',
          20_000,
        ).catch((error: Error) => {
          throw new Error(
            `${error.message}; missing:\n${missing().join('\n')}`,
          );
        });
        for (const c of everyone) {
          // One Redis keeps the publish order; a cluster keeps it per shard
          // channel, but carries classic PUBLISH from whichever node took it.
          const arrived = backend.keepsOrder
            ? received(c)
            : [...received(c)].sort((a, b) => a - b);
          expect(arrived).toEqual(expected(c));
        }
        expect(disconnects).toEqual([]);
        expect(everyone.every((c) => c.socket.connected)).toBe(true);
        for (const app of apps) {
          expect(app.process.isRunning).toBe(true);
        }
        const droppedSince = async () =>
          (await Promise.all(apps.map(droppedTotal))).map(
            (after, i) => after - droppedBefore[i],
          );
        await waitUntil(
          async () =>
            (await droppedSince()).every((dropped) => dropped >= corpus.length),
          'every bad payload to be dropped',
        );
        expect(await droppedSince()).toEqual([corpus.length, corpus.length]);
        const sample = (await scrape(apps[0].url)).text
          .split('\n')
          .filter(
            (line) =>
              line.startsWith('propagator_') && !line.includes('_bucket'),
          )
          .join('\n');
        console.log(
          `hostile corpus on ${backend.name}: ${corpus.length} bad payloads on 4 channels, each followed by a valid message; ` +
            `each instance dropped ${corpus.length}, every valid message arrived once. /metrics of corpus-1:\n${sample}`,
        );
      },
      backend.timeoutMs,
    );
  },
);
