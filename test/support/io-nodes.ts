import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server, type ServerOptions } from 'socket.io';
import {
  io as connectClient,
  type Socket as ClientSocket,
} from 'socket.io-client';
import { propagatorChannels } from '../../src/lib/contract/propagator-channels';
import { IoRedisClusterTransport } from '../../src/lib/redis/ioredis-cluster.transport';
import { IoRedisTransport } from '../../src/lib/redis/ioredis.transport';
import {
  InProcessBus,
  InProcessTransport,
} from '../../src/lib/redis/in-process.transport';
import type { PubSubTransport } from '../../src/lib/redis/pubsub-transport.interface';
import { RedisService } from '../../src/lib/redis/redis.service';
import { roomAdapterFor } from '../../src/lib/rooms/room-adapter';
import { RoomRouter } from '../../src/lib/rooms/room-router';
import { waitUntil, withDeadline } from './deadline';
import { startTestCluster } from './redis-cluster';
import { startRedisServer } from './redis-server';
import type { useResources } from './resources';

type Resources = ReturnType<typeof useResources>;

/** One plain Socket.IO server (no Nest) on a port of its own. */
export interface IoNode {
  readonly io: Server;
  readonly url: string;
  /** Ours only: the router, to look at what it holds. */
  readonly router?: RoomRouter;
  /** Ours only: how many malformed adapter frames it dropped. */
  dropped?(): number;
  /** Ours only: publishes raw bytes through the node's transport. */
  publishRaw?(channel: string, payload: Buffer | string): Promise<number>;
  close(): Promise<void>;
}

/** An adapter over a pub/sub set-up, for suites that must hold over each. */
export interface AdapterSetup {
  readonly name: string;
  /** True for this library's adapter. */
  readonly isOurs: boolean;
  /** Starts `size` nodes; the set-up's servers are closed with the suite. */
  start(resources: Resources, size: number): Promise<IoNode[]>;
  /** The Redis to ask for NUMSUB or SHARDNUMSUB, when there is one. */
  numsub?(channel: string): Promise<number>;
  /** Starts one more node in a process of its own, over the same Redis. */
  spawnNode?(): Promise<ChildNode>;
}

/** A node in a child process, to freeze or kill in the middle of a request. */
export interface ChildNode {
  readonly url: string;
  /** SIGSTOP: still subscribed, never answering. */
  freeze(): void;
  /** SIGKILL, and waits for the process to end. */
  kill(): Promise<void>;
}

const CHILD = resolve('test/support/io-node-child.mjs');

/** Starts io-node-child.mjs (built code: `npm run build` first). */
async function spawnChild(kind: string, where: string): Promise<ChildNode> {
  const child: ChildProcess = spawn(process.execPath, [CHILD, kind, where], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const ended = new Promise<void>((done) => child.once('exit', () => done()));
  const url = await withDeadline(
    new Promise<string>((ready, fail) => {
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /READY (\S+)/.exec(output);
        if (match) {
          ready(match[1]);
        }
      });
      child.once('exit', (code) =>
        fail(new Error(`the child exited (${code})`)),
      );
    }),
    `the ${kind} child to listen`,
    15_000,
  );
  return {
    url,
    freeze: () => child.kill('SIGSTOP'),
    async kill() {
      child.kill('SIGKILL');
      await ended;
    },
  };
}

async function listen(io: Server, http: HttpServer): Promise<string> {
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

async function closeServer(io: Server): Promise<void> {
  // io.close() closes the HTTP server and disconnects every socket.
  await new Promise<void>((resolve) => {
    void io.close(() => resolve());
  });
}

const silent = { warn: () => undefined, error: () => undefined };

/** A node of this library's adapter over a transport. */
async function ourNode(transport: PubSubTransport): Promise<IoNode> {
  const redis = new RedisService(transport);
  let dropped = 0;
  const router = new RoomRouter(redis, {
    onDropped: () => (dropped += 1),
    channels: propagatorChannels(),
    origin: randomBytes(8),
    heartbeatMs: 1_000,
    requestTimeoutMs: 3_000,
    log: silent,
  });
  router.start();
  if (!(await redis.waitUntilReady(5_000))) {
    throw new Error(`the ${transport.kind} transport did not get ready`);
  }
  const http = createServer();
  const io = new Server(http, {
    adapter: roomAdapterFor(router) as ServerOptions['adapter'],
  });
  const url = await listen(io, http);
  return {
    io,
    url,
    router,
    dropped: () => dropped,
    publishRaw: (channel, payload) => redis.publish(channel, payload),
    async close() {
      await closeServer(io);
      await router.stop();
      await redis.onApplicationShutdown();
    },
  };
}

/** Waits until every node counts them all (the heartbeats' hello). */
async function settle(nodes: IoNode[]): Promise<IoNode[]> {
  await waitUntil(
    async () =>
      (
        await Promise.all(
          nodes.map((node) => node.io.of('/').adapter.serverCount()),
        )
      ).every((count) => count === nodes.length),
    'every node counts every node',
  );
  return nodes;
}

/** @socket.io/redis-adapter, the reference every case is checked against. */
export const REFERENCE: AdapterSetup = {
  name: '@socket.io/redis-adapter',
  isOurs: false,
  async start(resources, size) {
    const server = resources.forSuite(await startRedisServer(), (r) =>
      r.stop(),
    );
    this.spawnNode = () => spawnChild('reference', server.url);
    const nodes: IoNode[] = [];
    for (let n = 0; n < size; n += 1) {
      const pub = new Redis(server.url, { maxRetriesPerRequest: 1 });
      const sub = pub.duplicate();
      const http = createServer();
      const io = new Server(http, {
        adapter: createAdapter(pub, sub, { requestsTimeout: 3_000 }),
      });
      nodes.push({
        io,
        url: await listen(io, http),
        async close() {
          await closeServer(io);
          await Promise.all([pub.quit(), sub.quit()]);
        },
      });
    }
    return settle(nodes);
  },
};

/** Ours over one Redis. */
export const OURS_REDIS: AdapterSetup = {
  name: 'ours over Redis',
  isOurs: true,
  async start(resources, size) {
    const server = resources.forSuite(await startRedisServer(), (r) =>
      r.stop(),
    );
    const client = resources.forSuite(
      new Redis(server.url, { maxRetriesPerRequest: 1 }),
      (c) => c.quit(),
    );
    this.numsub = async (channel) =>
      Number(((await client.pubsub('NUMSUB', channel)) as [string, number])[1]);
    this.spawnNode = () => spawnChild('ours', server.url);
    const nodes: IoNode[] = [];
    for (let n = 0; n < size; n += 1) {
      nodes.push(await ourNode(new IoRedisTransport(server.url)));
    }
    return settle(nodes);
  },
};

/** Ours over a Redis Cluster of 3 masters and 3 replicas: sharded pub/sub. */
export const OURS_CLUSTER: AdapterSetup = {
  name: 'ours over Redis Cluster',
  isOurs: true,
  async start(resources, size) {
    const cluster = resources.forSuite(await startTestCluster(), (c) =>
      c.stop(),
    );
    const nodes = cluster.seeds.map((seed) => {
      const [host, port] = seed.split(':');
      return { host, port: Number(port) };
    });
    const client = new Redis.Cluster(nodes, {
      redisOptions: { maxRetriesPerRequest: 1 },
    });
    client.on('error', () => undefined);
    resources.forSuite(client, (c) => c.quit());
    // A sharded channel's subscribers are counted by the shard that owns
    // it; the other masters count none.
    this.numsub = async (channel) => {
      const counts = await Promise.all(
        client
          .nodes('master')
          .map(
            (node) =>
              node.call('PUBSUB', 'SHARDNUMSUB', channel) as Promise<
                [string, number]
              >,
          ),
      );
      return counts.reduce((sum, [, count]) => sum + Number(count), 0);
    };
    this.spawnNode = () => spawnChild('ours-cluster', cluster.seeds.join(','));
    const started: IoNode[] = [];
    const { isSharded } = propagatorChannels();
    for (let n = 0; n < size; n += 1) {
      started.push(
        await ourNode(new IoRedisClusterTransport(nodes, {}, isSharded)),
      );
    }
    return settle(started);
  },
};

/** Ours over in-process transports joined by one bus. */
export const OURS_IN_PROCESS: AdapterSetup = {
  name: 'ours in process',
  isOurs: true,
  async start(_resources, size) {
    const bus = new InProcessBus();
    this.numsub = (channel) => Promise.resolve(bus.numsub(channel));
    const nodes: IoNode[] = [];
    for (let n = 0; n < size; n += 1) {
      nodes.push(await ourNode(new InProcessTransport(bus)));
    }
    return settle(nodes);
  },
};

export const ADAPTER_SETUPS: readonly AdapterSetup[] = [
  REFERENCE,
  OURS_IN_PROCESS,
  OURS_REDIS,
  OURS_CLUSTER,
];

/** A socket.io-client socket that records what it receives. */
export interface RoomClient {
  readonly socket: ClientSocket;
  /** The payloads of an event so far (first argument of each). */
  received(event: string): unknown[];
  /** Waits until `count` of an event arrived; returns their payloads. */
  waitFor(event: string, count?: number): Promise<unknown[]>;
}

/**
 * Connects to a node; the node's `connection` handler of the suite decides
 * what the socket joins (the `rooms` query: comma-separated), and the socket
 * resolves once the node says `joined`.
 */
export async function connectTo(
  node: IoNode,
  query: Record<string, string> = {},
  namespace = '/',
): Promise<RoomClient> {
  const socket = connectClient(node.url + namespace, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    query,
  });
  const events = new Map<string, unknown[]>();
  const wakes = new Set<() => void>();
  socket.onAny((event: string, ...args: unknown[]) => {
    events.set(event, [...(events.get(event) ?? []), args[0]]);
    for (const wake of wakes) wake();
  });
  const client: RoomClient = {
    socket,
    received: (event) => [...(events.get(event) ?? [])],
    waitFor: (event, count = 1) =>
      withDeadline(
        new Promise<unknown[]>((resolve) => {
          const wake = () => {
            if ((events.get(event)?.length ?? 0) >= count) {
              wakes.delete(wake);
              resolve(client.received(event));
            }
          };
          wakes.add(wake);
          wake();
        }),
        `${count} "${event}" on ${socket.id ?? 'a socket'}`,
      ),
  };
  await client.waitFor('joined');
  return client;
}
