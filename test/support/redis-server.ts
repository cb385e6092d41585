import type { ManagedProcess } from '../../src/cluster/managed-process';
import { startRedisProcess } from '../../src/cluster/redis-process';
import { freePort } from '../../src/cluster/free-port';

const READY_TIMEOUT_MS = 15_000;

/**
 * Redis disconnects a subscriber that falls 32 MB behind (its default
 * `client-output-buffer-limit pubsub 32mb 8mb 60`), and what was in the gap
 * is lost. The hostile corpus sends 20 MB messages on purpose; on a busy
 * machine an instance can be that far behind for a moment. The tests raise
 * the limit, as a deployment that lets such messages through should.
 */
export const TEST_REDIS_ARGS = [
  '--client-output-buffer-limit',
  'pubsub 256mb 64mb 60',
];

/** A real Redis for a test: stop it to cause an outage, start it to end one. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`; the same across stop() and start(). */
  readonly url: string;
  /** How it runs: `container` (testcontainers) or `process` (local redis-server). */
  readonly kind: 'container' | 'process';
  /** Starts it again on the same port after stop(). */
  start(): Promise<void>;
  /** Kills it; clients see the connection drop. */
  stop(): Promise<void>;
  /**
   * Freezes it (SIGSTOP): connections stay open, and no command is answered
   * until {@link thaw}. A child process only.
   */
  freeze(): void;
  /** Lets a frozen Redis run again (SIGCONT). */
  thaw(): void;
}

/**
 * Starts a Redis 7 for the tests: in a container when a Docker engine is
 * reachable, else as a `redis-server` child process on a free port.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const server = (await isDockerReachable())
    ? new ContainerRedis(port)
    : new ProcessRedis(port);
  await server.start();
  return server;
}

async function isDockerReachable(): Promise<boolean> {
  if (process.env.TEST_REDIS === 'process') {
    return false;
  }
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

class ProcessRedis implements RedisServer {
  readonly kind = 'process';
  readonly url: string;
  private process?: ManagedProcess;

  constructor(private readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    this.process = await startRedisProcess({
      port: this.port,
      readyTimeoutMs: READY_TIMEOUT_MS,
      extraArgs: TEST_REDIS_ARGS,
    });
  }

  async stop(): Promise<void> {
    const redis = this.process;
    this.process = undefined;
    redis?.kill('SIGKILL');
    await redis?.exited;
  }

  freeze(): void {
    this.process?.kill('SIGSTOP');
  }

  thaw(): void {
    this.process?.kill('SIGCONT');
  }
}

class ContainerRedis implements RedisServer {
  readonly kind = 'container';
  readonly url: string;
  private container?: { stop(): Promise<unknown> };

  constructor(private readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const { GenericContainer, Wait } = await import('testcontainers');
    this.container = await new GenericContainer('redis:7-alpine')
      .withExposedPorts({ container: 6379, host: this.port })
      .withCommand(['redis-server', ...TEST_REDIS_ARGS])
      .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
      .start();
  }

  async stop(): Promise<void> {
    const container = this.container;
    this.container = undefined;
    await container?.stop();
  }

  freeze(): void {
    throw new Error(
      'Freezing a Redis container is not supported; run with TEST_REDIS=process',
    );
  }

  thaw(): void {
    this.freeze();
  }
}
