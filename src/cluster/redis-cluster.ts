import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './free-port';
import type { LineSink, ManagedProcess } from './managed-process';
import { startRedisProcess } from './redis-process';
import { waitUntil } from './wait';

const run = promisify(execFile);

/** How to start a local Redis Cluster. */
export interface RedisClusterOptions {
  /** @default 3 */
  masters?: number;
  /** @default 1 */
  replicasPerMaster?: number;
  /**
   * `cluster-node-timeout`: how long a master may be unreachable before its
   * replica takes over. @default 1000
   */
  nodeTimeoutMs?: number;
  onLine?: LineSink;
  /** More `redis-server` arguments for every node. */
  extraArgs?: readonly string[];
}

/** One `redis-server` of the cluster. */
export interface RedisClusterNode {
  readonly port: number;
  readonly process: ManagedProcess;
}

/** A Redis Cluster of `redis-server` children on 127.0.0.1. */
export interface RedisCluster {
  readonly nodes: readonly RedisClusterNode[];
  /** `127.0.0.1:<port>` of every node: the seeds a client starts from. */
  readonly seeds: readonly string[];
  readonly nodeTimeoutMs: number;
  /** The port of the master that serves the slot now. */
  masterOf(slot: number): Promise<number>;
  /** Runs a command on one node, on a connection of its own. */
  call<T>(port: number, command: string, ...args: string[]): Promise<T>;
  /** Stops every node and removes their files. */
  stop(): Promise<void>;
}

/**
 * Starts `masters × (1 + replicasPerMaster)` nodes in cluster mode, joins
 * them with `redis-cli --cluster create`, and resolves once every node
 * reports `cluster_state:ok`.
 */
export async function startRedisCluster(
  options: RedisClusterOptions = {},
): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1_000;
  const dir = await mkdtemp(join(tmpdir(), 'redis-propagator-cluster-'));
  // REDIS_CLUSTER_LOGLEVEL=verbose shows the cluster bus at work.
  const logLevel = process.env.REDIS_CLUSTER_LOGLEVEL;
  const nodes: RedisClusterNode[] = [];
  const stop = async () => {
    await Promise.all(
      nodes.map(async ({ process }) => {
        process.kill('SIGKILL');
        await process.exited;
      }),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const ports = await distinctFreePorts(masters * (1 + replicas));
    for (const port of ports) {
      const process = await startRedisProcess({
        port,
        name: `redis-${port}`,
        onLine: options.onLine,
        extraArgs: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          String(nodeTimeoutMs),
          '--dir',
          dir,
          ...(logLevel ? ['--loglevel', logLevel] : []),
          ...(options.extraArgs ?? []),
        ],
      });
      nodes.push({ port, process });
    }
    const seeds = ports.map((port) => `127.0.0.1:${port}`);
    await run(process.env.REDIS_CLI_BIN ?? 'redis-cli', [
      '--cluster',
      'create',
      ...seeds,
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
    await waitUntil(
      async () => (await Promise.all(ports.map(isNodeReady))).every(Boolean),
      'every node to report cluster_state:ok, and every replica its link to its master up',
      30_000,
    );
    return {
      nodes,
      seeds,
      nodeTimeoutMs,
      masterOf: (slot) => masterOf(ports, slot),
      call: (port, command, ...args) => ask(port, command, ...args),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    ports.add(await freePort());
  }
  return [...ports];
}

/** Asks one node, on a short-lived connection. */
async function ask<T>(
  port: number,
  command: string,
  ...args: string[]
): Promise<T> {
  const client = new Redis(port, '127.0.0.1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.call(command, ...args)) as T;
  } finally {
    client.disconnect();
  }
}

/**
 * The cluster is up on this node and, on a replica, the link to its master
 * too: a replica that never synced cannot take over from its master.
 */
async function isNodeReady(port: number): Promise<boolean> {
  const cluster = await ask<string>(port, 'CLUSTER', 'INFO').catch(() => '');
  const replication = await ask<string>(port, 'INFO', 'replication').catch(
    () => '',
  );
  return (
    cluster.includes('cluster_state:ok') &&
    (replication.includes('role:master') ||
      replication.includes('master_link_status:up'))
  );
}

async function masterOf(ports: readonly number[], slot: number) {
  for (const port of ports) {
    const shards = await ask<[number, number, [string, number]][]>(
      port,
      'CLUSTER',
      'SLOTS',
    ).catch(() => undefined);
    const owner = shards?.find(([from, to]) => from <= slot && slot <= to);
    if (owner) {
      return owner[2][1];
    }
  }
  throw new Error(`no node answered which master serves slot ${slot}`);
}
