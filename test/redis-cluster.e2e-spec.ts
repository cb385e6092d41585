import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, jest } from '@jest/globals';
import { RedisPropagatorService } from '../src/lib';
import { createPropagatorPublisher } from '../src/lib/publisher';
import { keySlot } from '../src/lib/redis/key-slot';
import { startCluster } from '../src/cluster/cluster';
import { freePort } from '../src/cluster/free-port';
import {
  type AppInstance,
  startInstance,
  TEST_JWT_SECRET,
} from './support/app-instance';
import { CLUSTER_START_TIMEOUT_MS } from './support/nginx-cluster';
import { CHANNELS } from './support/channels';
import { connect, type TestClient } from './support/clients';
import { waitUntil } from './support/deadline';
import {
  clusterClient,
  type RedisCluster,
  startTestCluster,
} from './support/redis-cluster';
import { useResources } from './support/resources';

const run = promisify(execFile);
// Each test starts a cluster of six nodes, and one waits out a failover.
jest.setTimeout(90_000);
const PUSH_API_KEY = 'a-push-api-key-for-the-cluster-tests';

/** The slot ranges of the masters, from CLUSTER SLOTS. */
async function masters(cluster: RedisCluster) {
  const slots = await cluster.call<[number, number, [string, number]][]>(
    cluster.nodes[0].port,
    'CLUSTER',
    'SLOTS',
  );
  return slots
    .map(([from, to, [, port]]) => ({ from, to, port }))
    .sort((a, b) => a.from - b.from);
}

/** A user id whose own channel hashes into the range, found by trying. */
function userIn(prefix: string, from: number, to: number): string {
  for (let n = 0; ; n += 1) {
    const slot = keySlot(CHANNELS.user(`${prefix}-${n}`));
    if (from <= slot && slot <= to) return `${prefix}-${n}`;
  }
}

/** Two instances on the cluster, and the users' tabs on both. */
async function startOnCluster(
  resources: ReturnType<typeof useResources>,
  cluster: RedisCluster,
) {
  const env = {
    REDIS_CLUSTER_NODES: cluster.seeds.join(','),
    PUSH_API_KEY,
  };
  const instances: AppInstance[] = [];
  for (let n = 0; n < 2; n += 1) {
    instances.push(
      resources.forTest(await startInstance(env), (i) => i.close()),
    );
  }
  const tabsOf = async (userId: string) =>
    Promise.all(
      instances.map(async (instance) =>
        resources.forTest(await connect(instance.url, { userId }), (c) =>
          c.close(),
        ),
      ),
    );
  const client = resources.forTest(clusterClient(cluster), (c) => c.quit());
  return { instances, tabsOf, client };
}

const push = (data: unknown) => JSON.stringify({ event: 'push', data });

/** SPUBLISHes until every tab has the push, or the deadline passes; the ms it took. */
async function pushUntilDelivered(
  publish: (payload: string) => Promise<unknown>,
  tabs: TestClient[],
  what: string,
  timeoutMs: number,
): Promise<number> {
  const startedAt = Date.now();
  let n = 0;
  await waitUntil(
    async () => {
      n += 1;
      await publish(push(`${what} ${n}`)).catch(() => undefined);
      return tabs.every((tab) => tab.events('push').length > 0);
    },
    `a push to reach every tab (${what})`,
    timeoutMs,
  );
  return Date.now() - startedAt;
}

describe('over a Redis Cluster of 3 masters and 3 replicas', () => {
  const resources = useResources();

  it("routes each user's traffic to the one shard that owns the user's channel, with SSUBSCRIBE", async () => {
    const cluster = resources.forTest(await startTestCluster(), (c) =>
      c.stop(),
    );
    const { tabsOf, client } = await startOnCluster(resources, cluster);
    const shards = await masters(cluster);
    expect(shards).toHaveLength(3);

    const lines: string[] = [];
    for (const shard of shards) {
      const userId = userIn('shard', shard.from, shard.to);
      const channel = CHANNELS.user(userId);
      const slot = await client.call('CLUSTER', 'KEYSLOT', channel);
      expect(slot).toBe(keySlot(channel));
      const tabs = await tabsOf(userId);
      // Both instances subscribe on the owning master, with SSUBSCRIBE.
      expect(
        await cluster.call<[string, number]>(
          shard.port,
          'PUBSUB',
          'SHARDNUMSUB',
          channel,
        ),
      ).toEqual([channel, 2]);
      expect(await client.spublish(channel, push(userId))).toBe(2);
      for (const tab of tabs) {
        expect(await tab.waitFor('push')).toEqual([userId]);
      }
      lines.push(
        `${userId}: slot ${String(slot)} on the master at :${shard.port}`,
      );
    }
    console.log(`users on each shard:\n${lines.join('\n')}`);
  });

  it('carries the publisher, the command line, the HTTP API, idempotency and the compatibility channels', async () => {
    const cluster = resources.forTest(await startTestCluster(), (c) =>
      c.stop(),
    );
    const { instances, tabsOf, client } = await startOnCluster(
      resources,
      cluster,
    );
    const tabs = await tabsOf('pub-1');
    // Each instance counts the user's socket (maxSocketsPerUser) in one hash.
    expect(
      Object.keys(await client.hgetall(CHANNELS.socketsKey('pub-1'))),
    ).toHaveLength(2);
    const publisher = createPropagatorPublisher({ redis: client });

    expect(
      await publisher.sendToUser('pub-1', 'push', 'publisher', { id: 'once' }),
    ).toBe(2);
    expect(
      await publisher.sendToUser('pub-1', 'push', 'publisher', { id: 'once' }),
    ).toBe(0);
    const service = instances[0].app.get(RedisPropagatorService);
    const fromService = () =>
      service.propagateEvent({
        userId: 'pub-1',
        event: 'push',
        data: 'service',
        id: 'service-once',
      });
    expect(await fromService()).toBe(2);
    expect(await fromService()).toBe(0);
    const cli = await run(process.execPath, [
      resolve('dist/lib/cli/propagator.js'),
      'push',
      '--cluster',
      cluster.seeds.join(','),
      '--user',
      'pub-1',
      '--event',
      'push',
      '--data',
      '"cli"',
    ]);
    expect(cli.stdout.trim()).toBe('2 instances took the message');
    const answer = await fetch(`${instances[1].url}/push`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${PUSH_API_KEY}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        target: 'user',
        userId: 'pub-1',
        event: 'push',
        data: 'http',
      }),
    });
    expect(answer.status).toBe(202);
    // A service on the compatibility channels, with plain PUBLISH on any node.
    await client.publish(
      CHANNELS.send,
      JSON.stringify({ userId: 'pub-1', event: 'push', data: 'compat' }),
    );
    // Two channels promise no order between them: the user's message must
    // land before the one for everyone is sent.
    for (const tab of tabs) {
      await tab.waitForMatch('push', (data) => data === 'compat');
    }
    await client.publish(
      CHANNELS.emitAll,
      JSON.stringify({ event: 'push', data: 'everyone' }),
    );

    for (const tab of tabs) {
      await tab.waitForMatch('push', (data) => data === 'everyone');
      expect(tab.events('push')).toEqual([
        'publisher',
        'service',
        'cli',
        'http',
        'compat',
        'everyone',
      ]);
    }
  });

  it('follows a failover: SIGKILL the master of a user, the replica takes over, pushes resume', async () => {
    const cluster = resources.forTest(await startTestCluster(1_000), (c) =>
      c.stop(),
    );
    const { instances, tabsOf, client } = await startOnCluster(
      resources,
      cluster,
    );
    const [first, second] = await masters(cluster);
    const victim = userIn('failover', first.from, first.to);
    const bystander = userIn('bystander', second.from, second.to);
    const victimTabs = await tabsOf(victim);
    const bystanderTabs = await tabsOf(bystander);
    const node = cluster.nodes.find(({ port }) => port === first.port);

    node?.process.kill('SIGKILL');
    await node?.process.exited;
    const recoveredAfter = await pushUntilDelivered(
      (payload) => client.spublish(CHANNELS.user(victim), payload),
      victimTabs,
      'after the failover',
      30_000,
    );
    const promoted = await cluster.masterOf(keySlot(CHANNELS.user(victim)));
    expect(promoted).not.toBe(first.port);
    await pushUntilDelivered(
      (payload) => client.spublish(CHANNELS.user(bystander), payload),
      bystanderTabs,
      'another shard',
      5_000,
    );
    for (const instance of instances) {
      const health = await fetch(`${instance.url}/health`);
      expect(health.status).toBe(200);
    }
    console.log(
      `failover: master :${first.port} killed; :${promoted} serves the slot; ` +
        `pushes reached both instances ${recoveredAfter} ms after the kill ` +
        `(cluster-node-timeout ${cluster.nodeTimeoutMs} ms)`,
    );
  });

  it("keeps a user's subscription through a resharding that moves the user's slot (MOVED)", async () => {
    const cluster = resources.forTest(await startTestCluster(), (c) =>
      c.stop(),
    );
    const { tabsOf, client } = await startOnCluster(resources, cluster);
    const [source, target] = await masters(cluster);
    // redis-cli moves a source's slots from its lowest: take the user there.
    const mover = userIn('moved', source.from, source.from);
    const tabs = await tabsOf(mover);
    const id = (port: number) => cluster.call<string>(port, 'CLUSTER', 'MYID');

    await run(process.env.REDIS_CLI_BIN ?? 'redis-cli', [
      '--cluster',
      'reshard',
      `127.0.0.1:${source.port}`,
      '--cluster-from',
      await id(source.port),
      '--cluster-to',
      await id(target.port),
      '--cluster-slots',
      '1',
      '--cluster-yes',
    ]);
    expect(await cluster.masterOf(source.from)).toBe(target.port);
    const movedAfter = await pushUntilDelivered(
      (payload) => client.spublish(CHANNELS.user(mover), payload),
      tabs,
      'after the resharding',
      15_000,
    );
    expect(
      await cluster.call<[string, number]>(
        target.port,
        'PUBSUB',
        'SHARDNUMSUB',
        CHANNELS.user(mover),
      ),
    ).toEqual([CHANNELS.user(mover), 2]);
    console.log(
      `resharding: slot ${source.from} moved from :${source.port} to :${target.port}; pushes reached both instances ${movedAfter} ms later`,
    );
  });

  it('runs the instances of npm run cluster over a Redis Cluster with REDIS_SHARDS', async () => {
    const cluster = resources.forTest(
      await startCluster({
        appPorts: [await freePort(), await freePort()],
        nginxPort: await freePort(),
        redisShards: 3,
        env: { PATH: process.env.PATH, JWT_SECRET: TEST_JWT_SECRET },
        startTimeoutMs: CLUSTER_START_TIMEOUT_MS,
      }),
      (c) => c.stop(),
    );
    expect(cluster.redisCluster?.nodes).toHaveLength(6);
    const tabs = await Promise.all(
      cluster.instances.map(async ({ url }) =>
        resources.forTest(await connect(url, { userId: 'sharded-1' }), (c) =>
          c.close(),
        ),
      ),
    );
    const client = resources.forTest(
      clusterClient(cluster.redisCluster as RedisCluster),
      (c) => c.quit(),
    );
    expect(
      await client.spublish(CHANNELS.user('sharded-1'), push('via nginx')),
    ).toBe(2);
    for (const tab of tabs) {
      expect(await tab.waitFor('push')).toEqual(['via nginx']);
    }
    const health = await fetch(`${cluster.url}/health`);
    expect(await health.json()).toMatchObject({ transport: 'redis-cluster' });
  });
});
