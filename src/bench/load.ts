// The load generator: its own process, so that its CPU is not the servers'
// and a saturated generator shows in its own figure. It reads one LoadTask
// from BENCH_TASK, runs it, and prints `RESULT <json>`.
import { Emitter } from '@socket.io/redis-emitter';
import { Cluster, Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { propagatorChannels } from '../lib';
import { Clients, connectMany, pace, sleep } from './load-tools';
import { cpuMs, rssBytes } from './proc-stats';
import type {
  FanOutScenario,
  IdleScenario,
  LoadResult,
  LoadTask,
  PushScenario,
  RawScenario,
  RoomsScenario,
  TabScenario,
} from './scenarios';

const CHANNELS = propagatorChannels();
const DRAIN_MS = 3_000;
const SETTLE_MS = 500;

interface Payload {
  readonly t: number;
}

/** Records when each message arrives, relative to when it was sent. */
class Deliveries {
  private readonly latencies: number[] = [];

  record = (payload: Payload): void => {
    this.latencies.push(performance.now() - payload.t);
  };

  /** Records a message sent at `sentAt` (the generator's clock). */
  recordSentAt(sentAt: number): void {
    this.latencies.push(performance.now() - sentAt);
  }

  get count(): number {
    return this.latencies.length;
  }

  /** Waits until `expected` arrived, or the drain deadline passed. */
  async drain(expected: number): Promise<void> {
    const giveUpAt = performance.now() + DRAIN_MS;
    while (this.count < expected && performance.now() < giveUpAt) {
      await sleep(20);
    }
  }

  /** The delivery figures of a run, with the CPU measured over it. */
  figures(
    expected: number,
    measured: ReturnType<ReturnType<typeof cpuWindow>>,
  ): LoadResult {
    return {
      ...measured,
      latency: this.summary(),
      delivered: this.count,
      expected,
      cpuPer1k:
        measured.serverCpuMs.length > 0
          ? per1k(sum(measured.serverCpuMs), this.count)
          : undefined,
    };
  }

  summary(): LoadResult['latency'] {
    if (this.latencies.length === 0) {
      return undefined;
    }
    const sorted = Float64Array.from(this.latencies).sort();
    const at = (q: number) =>
      round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
    return {
      p50: at(0.5),
      p99: at(0.99),
      max: round(sorted[sorted.length - 1]),
    };
  }
}

/** Publishes as another service would: the emitter, or one raw PUBLISH. */
interface Pusher {
  toUser(userId: string, payload: Payload): void;
  toAll(payload: Payload): void;
  close(): void;
}

function pusherFor(task: LoadTask): Pusher {
  if (task.clusterNodes) {
    // As a service pushes to a cluster: SPUBLISH on the user's channel.
    const cluster = new Cluster([...task.clusterNodes], {
      enableAutoPipelining: true,
    });
    cluster.on('error', () => undefined);
    const publish = (channel: string, payload: Payload, sharded: boolean) => {
      const message = JSON.stringify({ event: 'push', data: payload });
      void (
        sharded
          ? cluster.spublish(channel, message)
          : cluster.publish(channel, message)
      ).catch(() => undefined);
    };
    return {
      toUser: (userId, payload) =>
        publish(CHANNELS.user(userId), payload, true),
      toAll: (payload) => publish(CHANNELS.emitAll, payload, false),
      close: () => cluster.disconnect(),
    };
  }
  const redis = new Redis(task.redisUrl);
  redis.on('error', () => undefined);
  if (task.system === 'adapter') {
    const emitter = new Emitter(redis);
    return {
      toUser: (userId, payload) =>
        emitter.to(`user:${userId}`).emit('push', payload),
      toAll: (payload) => emitter.emit('push', payload),
      close: () => redis.disconnect(),
    };
  }
  const publish = (channel: string, payload: Payload) =>
    void redis
      .publish(channel, JSON.stringify({ event: 'push', data: payload }))
      .catch(() => undefined);
  return {
    toUser: (userId, payload) => publish(CHANNELS.user(userId), payload),
    toAll: (payload) => publish(CHANNELS.emitAll, payload),
    close: () => redis.disconnect(),
  };
}

/** Measures server CPU over a window, and the generator's own. */
function cpuWindow(pids: readonly number[]) {
  const servers = pids.map(cpuMs);
  const own = process.cpuUsage();
  const startedAt = performance.now();
  return () => {
    const ownUsed = process.cpuUsage(own);
    const used = pids.map((pid, i) => {
      const now = cpuMs(pid);
      return {
        user: now.user - servers[i].user,
        system: now.system - servers[i].system,
      };
    });
    const system = sum(used.map((u) => u.system));
    const total = sum(used.map((u) => u.user + u.system));
    return {
      serverCpuMs: used.map((u) => u.user + u.system),
      serverKernelShare: total > 0 ? round(system / total) : undefined,
      loadCpuShare: round(
        (ownUsed.user + ownUsed.system) /
          1_000 /
          (performance.now() - startedAt),
      ),
    };
  };
}

async function runRaw(
  task: LoadTask,
  scenario: RawScenario,
): Promise<LoadResult> {
  const deliveries = new Deliveries();
  const publisher = new Redis(task.redisUrl);
  const subscriber = new Redis(task.redisUrl);
  await subscriber.subscribe('bench:raw');
  subscriber.on('message', (_channel: string, message: string) =>
    deliveries.record(JSON.parse(message) as Payload),
  );
  const window = cpuWindow([]);
  const sent = await pace(
    scenario.rate,
    scenario.durationMs,
    () =>
      void publisher
        .publish('bench:raw', JSON.stringify({ t: performance.now() }))
        .catch(() => undefined),
  );
  await deliveries.drain(sent);
  const measured = window();
  publisher.disconnect();
  subscriber.disconnect();
  return deliveries.figures(sent, measured);
}

async function runPush(
  task: LoadTask,
  scenario: PushScenario,
  clients: Clients,
): Promise<LoadResult> {
  const deliveries = new Deliveries();
  for (let user = 0; user < scenario.users; user += 1) {
    for (const holder of scenario.holders) {
      const socket = await clients.connect(task.urls[holder], `u${user}`);
      socket.on('push', deliveries.record);
    }
  }
  const pusher = pusherFor(task);
  await sleep(SETTLE_MS);
  const window = cpuWindow(task.pids);
  const redisWindow = cpuWindow(task.redisPids ?? []);
  const sent = await pace(scenario.rate, scenario.durationMs, (n) =>
    pusher.toUser(`u${n % scenario.users}`, { t: performance.now() }),
  );
  const expected = sent * scenario.holders.length;
  await deliveries.drain(expected);
  const measured = window();
  const redisCpuMs = redisWindow().serverCpuMs;
  pusher.close();
  const idle = measured.serverCpuMs.filter(
    (_, i) => !scenario.holders.includes(i),
  );
  return {
    ...deliveries.figures(expected, measured),
    redisCpuMs,
    idleInstancesCpuPer1k:
      idle.length > 0 ? per1k(sum(idle), deliveries.count) : undefined,
  };
}

async function runTab(
  task: LoadTask,
  scenario: TabScenario,
  clients: Clients,
): Promise<LoadResult> {
  const deliveries = new Deliveries();
  const senders: Socket[] = [];
  for (let user = 0; user < scenario.users; user += 1) {
    senders.push(await clients.connect(task.urls[0], `t${user}`));
    const other = await clients.connect(task.urls[1], `t${user}`);
    other.on('events', deliveries.record);
  }
  await sleep(SETTLE_MS);
  const window = cpuWindow(task.pids);
  let acked = 0;
  const sent = await pace(scenario.rate, scenario.durationMs, (n) =>
    senders[n % senders.length].emit(
      'events',
      { t: performance.now() },
      () => (acked += 1),
    ),
  );
  await deliveries.drain(sent);
  const measured = window();
  return {
    ...deliveries.figures(sent, measured),
    note: `${acked} of ${sent} acknowledged`,
  };
}

async function runFanOut(
  task: LoadTask,
  scenario: FanOutScenario,
  clients: Clients,
): Promise<LoadResult> {
  const deliveries = new Deliveries();
  await connectMany(scenario.sockets, 50, (n) =>
    clients
      .connect(task.urls[n % task.urls.length], `f${n}`)
      .then((socket) => socket.on('push', deliveries.record)),
  );
  const pusher = pusherFor(task);
  await sleep(SETTLE_MS);
  const window = cpuWindow(task.pids);
  for (let n = 0; n < scenario.messages; n += 1) {
    pusher.toAll({ t: performance.now() });
    await sleep(scenario.intervalMs);
  }
  const expected = scenario.messages * scenario.sockets;
  await deliveries.drain(expected);
  const measured = window();
  pusher.close();
  return deliveries.figures(expected, measured);
}

async function runIdle(
  task: LoadTask,
  scenario: IdleScenario,
  clients: Clients,
): Promise<LoadResult> {
  const [pid] = task.pids;
  await clients.signTokens(
    Array.from({ length: scenario.sockets }, (_, n) => `i${n}`),
  );
  await sleep(SETTLE_MS);
  const rssBefore = rssBytes(pid);
  const connectWindow = cpuWindow(task.pids);
  const started = performance.now();
  let connected = 0;
  let note: string | undefined;
  try {
    await connectMany(scenario.sockets, scenario.concurrency, async (n) => {
      await clients.connect(task.urls[0], `i${n}`);
      connected += 1;
    });
  } catch (error) {
    note = `stopped at ${connected} sockets: ${(error as Error).message}`;
  }
  const connectsPerSecond = round(
    (connected * 1_000) / (performance.now() - started),
  );
  const connectCpu = connectWindow();
  await sleep(1_000);
  const rssPerConnectionKb = round(
    (rssBytes(pid) - rssBefore) / 1_024 / Math.max(1, connected),
  );
  const result: LoadResult = {
    delivered: connected,
    expected: scenario.sockets,
    ...connectCpu,
    rssPerConnectionKb,
    connectsPerSecond,
    connectsPerCpuSecond: round(
      (connected * 1_000) / Math.max(1, sum(connectCpu.serverCpuMs)),
    ),
    note,
  };
  if (scenario.pushRate === undefined || connected === 0) {
    return result;
  }
  // Pushes to users among the idle sockets, through one extra socket per
  // pushed user so that the idle ones stay idle.
  const deliveries = new Deliveries();
  const targets = 100;
  for (let n = 0; n < targets; n += 1) {
    const socket = await clients.connect(task.urls[0], `i${n}`);
    socket.on('push', deliveries.record);
  }
  const pusher = pusherFor(task);
  const window = cpuWindow(task.pids);
  const sent = await pace(
    scenario.pushRate,
    scenario.pushDurationMs ?? 5_000,
    (n) => pusher.toUser(`i${n % targets}`, { t: performance.now() }),
  );
  await deliveries.drain(sent);
  const measured = window();
  pusher.close();
  return { ...result, ...deliveries.figures(sent, measured) };
}

async function runRooms(
  task: LoadTask,
  scenario: RoomsScenario,
  clients: Clients,
): Promise<LoadResult> {
  const deliveries = new Deliveries();
  const { rooms, members, holders } = scenario;
  // members[room][member], each on the holder of its index.
  const sockets: Socket[][] = Array.from({ length: rooms }, () => []);
  await connectMany(rooms * members, 50, async (n) => {
    const room = n % rooms;
    const member = Math.floor(n / rooms);
    const url = task.urls[holders[member % holders.length]];
    const socket = await clients.connect(url, `r${room}m${member}`);
    const joined = (await socket
      .timeout(30_000)
      .emitWithAck('chat:join', { roomId: `r${room}` })) as {
      error?: unknown;
    };
    if (joined.error !== undefined) {
      throw new Error(`chat:join refused: ${JSON.stringify(joined.error)}`);
    }
    socket.on('chat:message', (message: { text: string }) =>
      deliveries.recordSentAt(Number(message.text)),
    );
    sockets[room][member] = socket;
  });
  await sleep(SETTLE_MS);
  const window = cpuWindow(task.pids);
  let acked = 0;
  const sent = await pace(scenario.rate, scenario.durationMs, (n) => {
    const room = n % rooms;
    const sender = sockets[room][Math.floor(n / rooms) % members];
    sender.emit(
      'chat:message',
      { roomId: `r${room}`, text: String(performance.now()) },
      () => (acked += 1),
    );
  });
  const expected = sent * members;
  await deliveries.drain(expected);
  const measured = window();
  const idle = measured.serverCpuMs.filter((_, i) => !holders.includes(i));
  return {
    ...deliveries.figures(expected, measured),
    idleInstancesCpuPer1k:
      idle.length > 0 ? per1k(sum(idle), deliveries.count) : undefined,
    note: `${acked} of ${sent} acknowledged`,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function per1k(cpu: number, deliveries: number): number | undefined {
  return deliveries > 0 ? round((cpu * 1_000) / deliveries) : undefined;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function main(): Promise<void> {
  const task = JSON.parse(process.env.BENCH_TASK ?? '') as LoadTask;
  const clients = new Clients(new TextEncoder().encode(task.secret));
  const { scenario } = task;
  try {
    const result =
      scenario.kind === 'raw'
        ? await runRaw(task, scenario)
        : scenario.kind === 'push'
          ? await runPush(task, scenario, clients)
          : scenario.kind === 'tab'
            ? await runTab(task, scenario, clients)
            : scenario.kind === 'fanout'
              ? await runFanOut(task, scenario, clients)
              : scenario.kind === 'rooms'
                ? await runRooms(task, scenario, clients)
                : await runIdle(task, scenario, clients);
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    clients.closeAll();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`load: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
