// `npm run bench`: this project against a plain Socket.IO server with
// @socket.io/redis-adapter, on one Redis, under the same load, alternating
// the two in every repeat. Flags: --repeats N (3), --quick (1 repeat, short
// runs), --scale N (adds N idle sockets on one instance), --only TEXT (the
// cases whose name contains it), --out FILE, --cluster (this project on one
// Redis against a Redis Cluster of 3 shards, instead of the comparison).
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { startAppProcesses } from '../cluster/app-processes';
import { freePort } from '../cluster/free-port';
import { ManagedProcess, stopChildrenOnExit } from '../cluster/managed-process';
import { startRedisCluster } from '../cluster/redis-cluster';
import { startRedisProcess } from '../cluster/redis-process';
import { withDeadline } from '../cluster/wait';
import { type CaseResults, markdownTable, reportRows } from './report';
import {
  type BenchCase,
  benchCases,
  CLUSTER_CASE,
  DEFAULT_ANCHORS,
  type LoadResult,
  RAW_CASE,
  type LoadTask,
  type SystemName,
} from './scenarios';

const SECRET = 'bench-secret-that-is-at-least-32-bytes-long';
const START_TIMEOUT_MS = 30_000;
const RUN_TIMEOUT_MS = 120_000;

interface Flags {
  repeats: number;
  quick: boolean;
  scale?: number;
  only?: string;
  out: string;
  /** This project on one Redis against a cluster of 3 shards. */
  cluster: boolean;
}

function readFlags(argv: readonly string[]): Flags {
  const value = (name: string) => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const scale = value('--scale');
  return {
    quick,
    repeats: Number(value('--repeats') ?? (quick ? 1 : 3)),
    scale: scale === undefined ? undefined : Number(scale),
    only: value('--only'),
    out: value('--out') ?? 'bench-results.json',
    cluster: argv.includes('--cluster'),
  };
}

/**
 * With BENCH_PROFILE=<dir>, the servers write a CPU profile to
 * <dir>/<system> (node --cpu-prof) when they stop; BENCH_PROFILE_HEAP=1 adds
 * a heap profile.
 */
function profileFlags(system: SystemName): string[] {
  const root = process.env.BENCH_PROFILE;
  if (!root) {
    return [];
  }
  const dir = join(root, system);
  return [
    '-r',
    resolve('dist/bench/exit-on-sigterm.js'),
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    ...(process.env.BENCH_PROFILE_HEAP
      ? ['--heap-prof', `--heap-prof-dir=${dir}`]
      : []),
  ];
}

/** Starts `count` servers of a system and resolves once each answers /health. */
/** Where the servers meet: one Redis, or a Redis Cluster. */
interface Backend {
  readonly name: string;
  readonly redisUrl: string;
  /** REDIS_URL or REDIS_CLUSTER_NODES, for the servers. */
  readonly env: Record<string, string>;
  readonly clusterNodes?: readonly string[];
  /** The Redis processes that carry the traffic (a cluster's masters). */
  readonly redisPids: readonly number[];
}

async function startServers(
  system: SystemName,
  count: number,
  backend: Backend,
): Promise<{ processes: ManagedProcess[]; urls: string[] }> {
  const servers = await startAppProcesses(
    Array.from({ length: count }, (_, index) => ({
      name: `${system}-${index + 1}`,
      entry: resolve(
        system === 'project' ? 'dist/main.js' : 'dist/bench/adapter-server.js',
      ),
      nodeArgs: profileFlags(system),
      env: {
        ...process.env,
        NODE_ENV: 'production',
        ...backend.env,
        JWT_SECRET: SECRET,
        INSTANCE_ID: `${system}-${index + 1}`,
        ADAPTER_MODE: system === 'sharded' ? 'sharded' : 'classic',
        // The tab case sends up to 100 events/s per socket, the default
        // limit; the adapter has no limit to raise.
        RATE_LIMIT_EVENTS_PER_SECOND: '10000',
        // Every socket comes from the generator's few loopback addresses.
        CONNECTION_RATE_PER_SECOND: '0',
      },
    })),
    START_TIMEOUT_MS,
  );
  return {
    processes: servers.map((server) => server.process),
    urls: servers.map((server) => server.url),
  };
}

async function runOnce(
  system: SystemName,
  benchCase: BenchCase,
  backend: Backend,
): Promise<LoadResult> {
  const { processes, urls } =
    benchCase.instances > 0
      ? await startServers(system, benchCase.instances, backend)
      : { processes: [], urls: [] };
  try {
    const task: LoadTask = {
      system,
      urls,
      pids: processes.map((p) => p.pid ?? 0),
      redisUrl: backend.redisUrl,
      clusterNodes: backend.clusterNodes,
      redisPids: backend.redisPids,
      secret: SECRET,
      scenario: benchCase.scenario,
    };
    const load = new ManagedProcess({
      name: 'load',
      command: process.execPath,
      args: [resolve('dist/bench/load.js')],
      env: { ...process.env, BENCH_TASK: JSON.stringify(task) },
    });
    try {
      await withDeadline(
        load.exited,
        `${benchCase.name} on ${system}`,
        RUN_TIMEOUT_MS,
      );
    } catch (error) {
      await load.stop();
      throw error;
    }
    const line = load
      .output()
      .split('\n')
      .find((l) => l.startsWith('RESULT '));
    if (!line) {
      throw new Error(
        `${benchCase.name} on ${system}: ${load.describeExit()}\n${load.output()}`,
      );
    }
    return JSON.parse(line.slice('RESULT '.length)) as LoadResult;
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
  }
}

function shorten(benchCase: BenchCase, quick: boolean): BenchCase {
  if (!quick) {
    return benchCase;
  }
  const { scenario } = benchCase;
  return {
    ...benchCase,
    scenario:
      'durationMs' in scenario ? { ...scenario, durationMs: 1_000 } : scenario,
  };
}

async function main(): Promise<void> {
  stopChildrenOnExit();
  const flags = readFlags(process.argv.slice(2));
  const startedAt = Date.now();
  const port = await freePort();
  const redis = await startRedisProcess({ port });
  const redisUrl = `redis://127.0.0.1:${port}`;
  const backend: Backend = {
    name: 'one Redis',
    redisUrl,
    env: { REDIS_URL: redisUrl },
    redisPids: [redis.pid ?? 0],
  };
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`bench on ${machine}; ${flags.repeats} repeat(s)`);
  if (flags.cluster) {
    try {
      await benchCluster(flags, machine, backend);
    } finally {
      await redis.stop();
    }
    return;
  }
  const results: CaseResults[] = [];
  const rawP50: number[] = [];
  try {
    for (let repeat = 0; repeat < flags.repeats; repeat += 1) {
      const raw = await runOnce(
        'project',
        shorten(RAW_CASE, flags.quick),
        backend,
      );
      console.log(`${RAW_CASE.name} | ${JSON.stringify(raw)}`);
      rawP50.push(raw.latency?.p50 ?? NaN);
    }
    const cases = benchCases(flags.scale).filter(
      (benchCase) => !flags.only || benchCase.name.includes(flags.only),
    );
    for (const original of cases) {
      const benchCase = shorten(original, flags.quick);
      const systems: SystemName[] = [
        ...(benchCase.anchors ?? DEFAULT_ANCHORS),
        'project',
      ];
      const runs: CaseResults['runs'] = {};
      for (let repeat = 0; repeat < flags.repeats; repeat += 1) {
        // Turn which system goes first, so none always runs warm.
        const order = systems.map(
          (_, i) => systems[(i + repeat) % systems.length],
        );
        for (const system of order) {
          const result = await runOnce(system, benchCase, backend);
          (runs[system] ??= []).push(result);
          console.log(
            `${benchCase.name} | ${system} | ${JSON.stringify(result)}`,
          );
        }
      }
      results.push({ benchCase, runs });
    }
  } finally {
    await redis.stop();
  }
  const rows = reportRows(results);
  const floor = rawP50.sort((a, b) => a - b)[Math.floor(rawP50.length / 2)];
  const seconds = Math.round((Date.now() - startedAt) / 1_000);
  console.log(
    `\n${markdownTable(rows)}\n\nratio = this project / anchor; ${machine}; ${seconds} s`,
  );
  console.log(`\n${RAW_CASE.name}: p50 ${floor} ms`);
  for (const row of rows) {
    const { adapter, project } = row.values;
    if (
      row.case.startsWith('push') &&
      row.figure.startsWith('p50') &&
      adapter !== undefined &&
      project !== undefined
    ) {
      console.log(
        `${row.case}: p50 / raw p50 = adapter ${round(adapter / floor)}, this project ${round(project / floor)}`,
      );
    }
  }
  await writeFile(
    flags.out,
    JSON.stringify(
      { machine, flags, seconds, rawP50: floor, rows, results },
      null,
      2,
    ),
  );
  console.log(`wrote ${flags.out}`);
}

/**
 * `--cluster`: this project's pushes at 10k/s to 300 users, on one Redis and
 * on a Redis Cluster of 3 masters (a replica each), alternately; with the
 * CPU each Redis master spent, to show the load spread over the shards.
 */
async function benchCluster(
  flags: Flags,
  machine: string,
  single: Backend,
): Promise<void> {
  const startedAt = Date.now();
  const redisCluster = await startRedisCluster({ masters: 3 });
  try {
    const slots = await redisCluster.call<[number, number, [string, number]][]>(
      redisCluster.nodes[0].port,
      'CLUSTER',
      'SLOTS',
    );
    const masterPorts = slots
      .sort(([a], [b]) => a - b)
      .map(([, , [, port]]) => port);
    const pidOf = (port: number) =>
      redisCluster.nodes.find((node) => node.port === port)?.process.pid ?? 0;
    const sharded: Backend = {
      name: '3 shards',
      redisUrl: `redis://${redisCluster.seeds[0]}`,
      env: { REDIS_CLUSTER_NODES: redisCluster.seeds.join(',') },
      clusterNodes: redisCluster.seeds,
      redisPids: masterPorts.map(pidOf),
    };
    const benchCase = shorten(CLUSTER_CASE, flags.quick);
    const runs = new Map<Backend, LoadResult[]>([
      [single, []],
      [sharded, []],
    ]);
    for (let repeat = 0; repeat < flags.repeats; repeat += 1) {
      const order = repeat % 2 === 0 ? [single, sharded] : [sharded, single];
      for (const backend of order) {
        const result = await runOnce('project', benchCase, backend);
        runs.get(backend)?.push(result);
        console.log(
          `${benchCase.name} | ${backend.name} | ${JSON.stringify(result)}`,
        );
      }
    }
    const table = clusterTable(runs, [single, sharded]);
    const seconds = Math.round((Date.now() - startedAt) / 1_000);
    console.log(
      `\n${table}\n\nthis project, ${benchCase.name} to ${(benchCase.scenario as { users: number }).users} users with a tab on each of 2 instances; medians of ${flags.repeats}; ${machine}; ${seconds} s`,
    );
    await writeFile(
      flags.out,
      JSON.stringify(
        {
          machine,
          flags,
          seconds,
          runs: [...runs].map(([b, r]) => ({ backend: b.name, runs: r })),
        },
        null,
        2,
      ),
    );
    console.log(`wrote ${flags.out}`);
  } finally {
    await redisCluster.stop();
  }
}

/** One Redis against the shards: latency, server CPU, and each Redis' CPU. */
function clusterTable(
  runs: ReadonlyMap<Backend, LoadResult[]>,
  backends: readonly Backend[],
): string {
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? NaN;
  };
  const per1k = (cpuMs: number, result: LoadResult) =>
    round((cpuMs * 1_000) / Math.max(1, result.delivered));
  const rows: [string, (result: LoadResult) => number | string][] = [
    ['p50 (ms)', (r) => r.latency?.p50 ?? NaN],
    ['p99 (ms)', (r) => r.latency?.p99 ?? NaN],
    ['max (ms)', (r) => r.latency?.max ?? NaN],
    ['lost', (r) => r.expected - r.delivered],
    ['app CPU per 1k deliveries (ms)', (r) => r.cpuPer1k ?? NaN],
    [
      'Redis CPU per 1k deliveries, all masters (ms)',
      (r) =>
        per1k(
          (r.redisCpuMs ?? []).reduce((a, b) => a + b, 0),
          r,
        ),
    ],
  ];
  const lines = [
    `| measure | ${backends.map((b) => b.name).join(' | ')} |`,
    `|---|${backends.map(() => '---:').join('|')}|`,
  ];
  for (const [label, read] of rows) {
    const cells = backends.map((backend) =>
      median((runs.get(backend) ?? []).map((r) => Number(read(r)))),
    );
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  const shares = backends.map((backend) => {
    const results = runs.get(backend) ?? [];
    const count = results[0]?.redisCpuMs?.length ?? 0;
    return Array.from({ length: count }, (_, i) =>
      median(results.map((r) => per1k(r.redisCpuMs?.[i] ?? 0, r))),
    ).join(' / ');
  });
  lines.push(
    `| Redis CPU per 1k deliveries, each master (ms) | ${shares.join(' | ')} |`,
  );
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? String(error));
  process.exit(1);
});

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
