/**
 * The systems a bench run compares: @socket.io/redis-adapter (classic, and
 * sharded with `subscriptionMode: "dynamic"`) and this project.
 */
export type SystemName = 'adapter' | 'sharded' | 'project';

/** The anchors of a case when it names none. */
export const DEFAULT_ANCHORS: readonly SystemName[] = ['adapter'];

/** Pushes from another service to users with a tab on each of two instances. */
export interface PushScenario {
  readonly kind: 'push';
  readonly rate: number;
  readonly durationMs: number;
  readonly users: number;
  /** Instances that hold the users' tabs; the others hold none. */
  readonly holders: readonly [number, number];
}

/** A tab emits `events` with an ack; the user's tab on another instance gets it. */
export interface TabScenario {
  readonly kind: 'tab';
  readonly rate: number;
  readonly durationMs: number;
  readonly users: number;
}

/** Emit-to-all from another service to many sockets over every instance. */
export interface FanOutScenario {
  readonly kind: 'fanout';
  readonly sockets: number;
  readonly messages: number;
  readonly intervalMs: number;
}

/**
 * Idle authenticated sockets on one instance: how fast they connect and
 * what each costs in RSS; optionally pushes to them while they are there.
 */
export interface IdleScenario {
  readonly kind: 'idle';
  readonly sockets: number;
  readonly concurrency: number;
  readonly pushRate?: number;
  readonly pushDurationMs?: number;
}

/**
 * A chat: `rooms` rooms of `members` sockets, each a user of its own, split
 * over the `holders` instances (the others hold none). Members send
 * `chat:message` at `rate` messages a second in all; every member of the
 * room, the sender included, gets each one.
 */
export interface RoomsScenario {
  readonly kind: 'rooms';
  readonly rate: number;
  readonly durationMs: number;
  readonly rooms: number;
  readonly members: number;
  readonly holders: readonly number[];
}

/** Redis alone: PUBLISH to a SUBSCRIBE client, the floor of any push. */
export interface RawScenario {
  readonly kind: 'raw';
  readonly rate: number;
  readonly durationMs: number;
}

export type Scenario =
  | RawScenario
  | PushScenario
  | TabScenario
  | FanOutScenario
  | IdleScenario
  | RoomsScenario;

/** One named scenario of the bench, on a number of instances. */
export interface BenchCase {
  readonly name: string;
  readonly instances: number;
  readonly scenario: Scenario;
  /** What this project is measured against. @default DEFAULT_ANCHORS */
  readonly anchors?: readonly SystemName[];
}

/** What the load generator is told for one run. */
export interface LoadTask {
  readonly system: SystemName;
  readonly urls: readonly string[];
  readonly pids: readonly number[];
  readonly redisUrl: string;
  /** Set when the servers run on a Redis Cluster: its seed nodes. */
  readonly clusterNodes?: readonly string[];
  /** The Redis processes whose CPU a run reports (`redisCpuMs`). */
  readonly redisPids?: readonly number[];
  readonly secret: string;
  readonly scenario: Scenario;
}

/** What one run measured. */
export interface LoadResult {
  readonly latency?: { p50: number; p99: number; max: number };
  readonly delivered: number;
  readonly expected: number;
  /** CPU ms of each server instance over the measured window. */
  readonly serverCpuMs: readonly number[];
  /** The share of that CPU spent in the kernel (system time). */
  readonly serverKernelShare?: number;
  /** Server CPU ms per 1,000 deliveries, all instances. */
  readonly cpuPer1k?: number;
  /** The same, for the instances that hold none of the users' sockets. */
  readonly idleInstancesCpuPer1k?: number;
  readonly rssPerConnectionKb?: number;
  readonly connectsPerSecond?: number;
  /** Connects per second of server CPU: the same, free of the machine's noise. */
  readonly connectsPerCpuSecond?: number;
  /** CPU the load generator used, as a share of one core. */
  readonly loadCpuShare: number;
  /** CPU ms of each of `redisPids` over the measured window. */
  readonly redisCpuMs?: readonly number[];
  readonly note?: string;
}

/** The floor the push latency is held against. */
export const RAW_CASE: BenchCase = {
  name: 'raw Redis PUBLISH to SUBSCRIBE @5k/s',
  instances: 0,
  scenario: { kind: 'raw', rate: 5_000, durationMs: 3_000 },
};

/** Pushes to users at 10k/s, on one Redis or on a cluster (`--cluster`). */
export const CLUSTER_CASE: BenchCase = {
  name: 'push @10k/s',
  instances: 2,
  scenario: {
    kind: 'push',
    rate: 10_000,
    durationMs: 3_000,
    users: 300,
    holders: [0, 1],
  },
};

/** The scenarios of a default run. */
export function benchCases(scale?: number): BenchCase[] {
  const push = (rate: number, instances = 2): BenchCase => ({
    name:
      instances === 2
        ? `push @${rate / 1000}k/s`
        : `push @${rate / 1000}k/s, ${instances} instances`,
    instances,
    scenario: {
      kind: 'push',
      rate,
      durationMs: 3_000,
      users: 100,
      holders: [0, 1],
    },
  });
  const tab = (rate: number): BenchCase => ({
    name: `tab to tab @${rate / 1000}k/s`,
    instances: 2,
    scenario: { kind: 'tab', rate, durationMs: 3_000, users: 50 },
  });
  // Chat messages, each to 10 sockets: 5k/s saturates a 2-core machine.
  const rooms = (rate: number): BenchCase => ({
    name: `rooms: 1,000 of 10 members, 4 instances, @${rate / 1000}k msg/s`,
    instances: 4,
    anchors: ['adapter', 'sharded'],
    scenario: {
      kind: 'rooms',
      rate,
      durationMs: 3_000,
      rooms: 1_000,
      members: 10,
      holders: [0, 1],
    },
  });
  const cases: BenchCase[] = [
    push(1_000),
    push(5_000),
    push(10_000),
    tab(1_000),
    tab(5_000),
    {
      name: 'emit to all, 2,000 sockets',
      instances: 2,
      scenario: {
        kind: 'fanout',
        sockets: 2_000,
        messages: 20,
        intervalMs: 100,
      },
    },
    {
      name: 'idle sockets',
      instances: 1,
      scenario: { kind: 'idle', sockets: 2_000, concurrency: 50 },
    },
    push(5_000, 4),
    rooms(1_000),
    rooms(5_000),
  ];
  if (scale !== undefined) {
    cases.push({
      name: `${scale} idle sockets, push @1k/s`,
      instances: 1,
      scenario: {
        kind: 'idle',
        sockets: scale,
        concurrency: 200,
        pushRate: 1_000,
        pushDurationMs: 5_000,
      },
    });
  }
  return cases;
}
