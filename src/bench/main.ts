// `npm run bench`: this project against a plain Socket.IO server with
// @socket.io/redis-adapter, on one Redis, under the same load, alternating
// the two in every repeat. Flags: --repeats N (3), --quick (1 repeat, short
// runs), --scale N (adds N idle sockets on one instance), --only TEXT (the
// cases whose name contains it), --out FILE.
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { startAppProcesses } from '../cluster/app-processes';
import { freePort } from '../cluster/free-port';
import { ManagedProcess } from '../cluster/managed-process';
import { startRedisProcess } from '../cluster/redis-process';
import { withDeadline } from '../cluster/wait';
import { type CaseResults, markdownTable, reportRows } from './report';
import {
  type BenchCase,
  benchCases,
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
async function startServers(
  system: SystemName,
  count: number,
  redisUrl: string,
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
        REDIS_URL: redisUrl,
        JWT_SECRET: SECRET,
        INSTANCE_ID: `${system}-${index + 1}`,
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
  redisUrl: string,
): Promise<LoadResult> {
  const { processes, urls } =
    benchCase.instances > 0
      ? await startServers(system, benchCase.instances, redisUrl)
      : { processes: [], urls: [] };
  try {
    const task: LoadTask = {
      system,
      urls,
      pids: processes.map((p) => p.pid ?? 0),
      redisUrl,
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
  const flags = readFlags(process.argv.slice(2));
  const startedAt = Date.now();
  const port = await freePort();
  const redis = await startRedisProcess({ port });
  const redisUrl = `redis://127.0.0.1:${port}`;
  const machine = `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`bench on ${machine}; ${flags.repeats} repeat(s)`);
  const results: CaseResults[] = [];
  const rawP50: number[] = [];
  try {
    for (let repeat = 0; repeat < flags.repeats; repeat += 1) {
      const raw = await runOnce(
        'project',
        shorten(RAW_CASE, flags.quick),
        redisUrl,
      );
      console.log(`${RAW_CASE.name} | ${JSON.stringify(raw)}`);
      rawP50.push(raw.latency?.p50 ?? NaN);
    }
    const cases = benchCases(flags.scale).filter(
      (benchCase) => !flags.only || benchCase.name.includes(flags.only),
    );
    for (const original of cases) {
      const benchCase = shorten(original, flags.quick);
      const runs: CaseResults['runs'] = { adapter: [], project: [] };
      for (let repeat = 0; repeat < flags.repeats; repeat += 1) {
        // Alternate which system goes first, so neither always runs warm.
        const order: SystemName[] =
          repeat % 2 === 0 ? ['adapter', 'project'] : ['project', 'adapter'];
        for (const system of order) {
          const result = await runOnce(system, benchCase, redisUrl);
          runs[system].push(result);
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
    `\n${markdownTable(rows)}\n\nratio = this project / adapter; ${machine}; ${seconds} s`,
  );
  console.log(`\n${RAW_CASE.name}: p50 ${floor} ms`);
  for (const row of rows) {
    if (row.case.startsWith('push') && row.figure.startsWith('p50')) {
      console.log(
        `${row.case}: p50 / raw p50 = adapter ${round(row.adapter / floor)}, this project ${round(row.project / floor)}`,
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

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? String(error));
  process.exit(1);
});

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
