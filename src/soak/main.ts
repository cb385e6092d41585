// `npm run soak`: two instances on one Redis, a tab of every user on each,
// pushes at a steady rate for a bounded time. It reports what was delivered
// against what was expected, every error, and each instance's heap after a
// full GC before and after the run; it exits 1 if anything was lost or
// failed, or a heap grew by 10% or more.
//
// Flags: --duration-s N (60), --sockets N (2000), --rate N (pushes/s, 2000).
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { propagatorChannels } from '../lib';
import { type AppProcess, startAppProcesses } from '../cluster/app-processes';
import { freePort } from '../cluster/free-port';
import { stopChildrenOnExit } from '../cluster/managed-process';
import { startRedisProcess } from '../cluster/redis-process';
import { withDeadline } from '../cluster/wait';
import { Clients, connectMany, pace, sleep } from '../bench/load-tools';
import { rssBytes } from '../bench/proc-stats';

const SECRET = 'soak-secret-that-is-at-least-32-bytes-long';
const WARM_UP_MS = 5_000;
const REPORT_EVERY_MS = 10_000;
const DRAIN_MS = 10_000;
const HEAP_GROWTH_LIMIT = 0.1;
const CHANNELS = propagatorChannels();

interface Flags {
  durationMs: number;
  sockets: number;
  rate: number;
}

function readFlags(argv: readonly string[]): Flags {
  const number = (name: string, fallback: number) => {
    const index = argv.indexOf(name);
    const value = index >= 0 ? Number(argv[index + 1]) : fallback;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new Error(`${name} must be a positive integer`);
    }
    return value;
  };
  const sockets = number('--sockets', 2_000);
  if (sockets % 2 !== 0) {
    throw new Error(
      '--sockets must be even: each user has a tab on each instance',
    );
  }
  return {
    durationMs: number('--duration-s', 60) * 1_000,
    sockets,
    rate: number('--rate', 2_000),
  };
}

/** What the tabs received, checked against the order pushes were sent in. */
class Ledger {
  delivered = 0;
  /** A push that arrived twice, or after a later one to the same tab. */
  outOfOrder = 0;
  readonly errors: string[] = [];
  private readonly lastSeen = new Map<string, number>();
  private readonly latencies: number[] = [];

  receive(tab: string, push: { n: number; t: number }): void {
    this.delivered += 1;
    this.latencies.push(performance.now() - push.t);
    if ((this.lastSeen.get(tab) ?? -1) >= push.n) {
      this.outOfOrder += 1;
    }
    this.lastSeen.set(tab, push.n);
  }

  /** p50, p99 and max of the latencies since the last call, in ms. */
  takeLatencies(): string {
    const sorted = Float64Array.from(this.latencies.splice(0)).sort();
    if (sorted.length === 0) {
      return 'no deliveries';
    }
    const at = (q: number) =>
      sorted[
        Math.min(sorted.length - 1, Math.floor(q * sorted.length))
      ].toFixed(1);
    return `p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
  }
}

/** Asks an instance (through the preloaded heap probe) for its heap after GC. */
class HeapProbe {
  private readonly waiting = new Map<string, (bytes: number) => void>();

  onLine = (name: string, line: string): void => {
    const match = /SOAK_HEAP (\d+)/.exec(line);
    if (match) {
      this.waiting.get(name)?.(Number(match[1]));
      this.waiting.delete(name);
    }
  };

  heapAfterGc(app: AppProcess): Promise<number> {
    const answer = new Promise<number>((done) =>
      this.waiting.set(app.name, done),
    );
    app.process.kill('SIGUSR2');
    return withDeadline(answer, `the heap of ${app.name}`, 10_000);
  }
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

async function main(): Promise<number> {
  stopChildrenOnExit();
  const flags = readFlags(process.argv.slice(2));
  const users = flags.sockets / 2;
  const redisPort = await freePort();
  const redis = await startRedisProcess({ port: redisPort });
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const probe = new HeapProbe();
  const ledger = new Ledger();
  const clients = new Clients(new TextEncoder().encode(SECRET));
  let apps: AppProcess[] = [];
  const publisher = new Redis(redisUrl, { enableAutoPipelining: true });
  publisher.on('error', (error: Error) =>
    ledger.errors.push(`publisher: ${error.message}`),
  );
  try {
    apps = await startAppProcesses(
      [1, 2].map((n) => ({
        name: `soak-${n}`,
        nodeArgs: ['--expose-gc', '-r', resolve('dist/soak/heap-probe.js')],
        env: {
          ...process.env,
          NODE_ENV: 'production',
          REDIS_URL: redisUrl,
          JWT_SECRET: SECRET,
          INSTANCE_ID: `soak-${n}`,
          SHUTDOWN_DELAY_MS: '0',
          // Every socket comes from this process's few loopback addresses.
          CONNECTION_RATE_PER_SECOND: '0',
        },
        onLine: (name, line) => {
          probe.onLine(name, line);
          if (/\bERROR\b/.test(line)) {
            ledger.errors.push(`${name}: ${line}`);
          }
        },
      })),
    );
    const userIds = Array.from({ length: users }, (_, n) => `soak-${n}`);
    await clients.signTokens(userIds);
    const connectStarted = performance.now();
    await connectMany(flags.sockets, 50, async (n) => {
      const user = Math.floor(n / 2);
      const tab = `${user}/${n % 2}`;
      const socket = await clients.connect(apps[n % 2].url, userIds[user]);
      socket.on('push', (push: { n: number; t: number }) =>
        ledger.receive(tab, push),
      );
      socket.on('disconnect', (reason: string) =>
        ledger.errors.push(`tab ${tab} disconnected: ${reason}`),
      );
    });
    console.log(
      `soak: ${flags.sockets} sockets (${users} users, a tab on each of 2 instances) connected in ${Math.round(performance.now() - connectStarted)} ms; ` +
        `${flags.rate} pushes/s for ${flags.durationMs / 1_000} s after a ${WARM_UP_MS / 1_000} s warm-up`,
    );

    let sent = 0;
    const push = () => {
      const n = sent;
      sent += 1;
      publisher
        .publish(
          CHANNELS.user(userIds[n % users]),
          JSON.stringify({ event: 'push', data: { n, t: performance.now() } }),
        )
        .catch((error: Error) =>
          ledger.errors.push(`publish ${n}: ${error.message}`),
        );
    };
    const drain = async () => {
      const giveUpAt = performance.now() + DRAIN_MS;
      while (ledger.delivered < sent * 2 && performance.now() < giveUpAt) {
        await sleep(20);
      }
    };
    const heaps = () => Promise.all(apps.map((app) => probe.heapAfterGc(app)));

    await pace(flags.rate, WARM_UP_MS, push);
    await drain();
    ledger.takeLatencies();
    const heapBefore = await heaps();
    const rssBefore = apps.map((app) => rssBytes(app.process.pid ?? 0));
    const sentBefore = sent;
    const deliveredBefore = ledger.delivered;

    for (
      let elapsed = 0;
      elapsed < flags.durationMs;
      elapsed += REPORT_EVERY_MS
    ) {
      await pace(
        flags.rate,
        Math.min(REPORT_EVERY_MS, flags.durationMs - elapsed),
        push,
      );
      console.log(
        `  ${Math.round((elapsed + REPORT_EVERY_MS) / 1_000)} s: sent ${sent - sentBefore}, delivered ${ledger.delivered - deliveredBefore}; ${ledger.takeLatencies()}`,
      );
    }
    await drain();
    const heapAfter = await heaps();
    const rssAfter = apps.map((app) => rssBytes(app.process.pid ?? 0));

    const expected = (sent - sentBefore) * 2;
    const delivered = ledger.delivered - deliveredBefore;
    const lost = sent * 2 - ledger.delivered;
    console.log(
      `pushes ${sent - sentBefore}; deliveries expected ${expected}, delivered ${delivered}, lost ${lost}, duplicated or out of order ${ledger.outOfOrder}; errors ${ledger.errors.length}`,
    );
    for (const error of ledger.errors.slice(0, 20)) {
      console.log(`  error: ${error}`);
    }
    const growths = apps.map((app, i) => {
      const growth = heapAfter[i] / heapBefore[i] - 1;
      console.log(
        `${app.name}: heap after GC ${mb(heapBefore[i])} MB -> ${mb(heapAfter[i])} MB (${(growth * 100).toFixed(1)}%); RSS ${mb(rssBefore[i])} MB -> ${mb(rssAfter[i])} MB`,
      );
      return growth;
    });
    const failures = [
      ...(lost !== 0 ? [`${lost} deliveries lost`] : []),
      ...(ledger.outOfOrder !== 0
        ? [`${ledger.outOfOrder} duplicated or out of order`]
        : []),
      ...(ledger.errors.length !== 0 ? [`${ledger.errors.length} errors`] : []),
      ...growths
        .map((growth, i) => [growth, i] as const)
        .filter(([growth]) => growth >= HEAP_GROWTH_LIMIT)
        .map(
          ([growth, i]) =>
            `${apps[i].name}'s heap grew ${(growth * 100).toFixed(1)}%`,
        ),
    ];
    console.log(
      failures.length === 0
        ? 'soak passed'
        : `soak FAILED: ${failures.join('; ')}`,
    );
    return failures.length === 0 ? 0 : 1;
  } finally {
    clients.closeAll();
    publisher.disconnect();
    await Promise.all(apps.map((app) => app.process.stop()));
    await redis.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`soak: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
