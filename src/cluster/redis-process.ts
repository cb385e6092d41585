import { type LineSink, ManagedProcess } from './managed-process';

/** Where a `redis-server` child listens, and how to run it. */
export interface RedisProcessOptions {
  port: number;
  /** @default process.env.REDIS_SERVER_BIN ?? 'redis-server' */
  binary?: string;
  onLine?: LineSink;
  /** @default 15000 */
  readyTimeoutMs?: number;
  /** More `redis-server` arguments (cluster mode, ...). */
  extraArgs?: readonly string[];
  /** Names the process in logs and errors. @default 'redis' */
  name?: string;
}

/**
 * Starts `redis-server` on 127.0.0.1 with nothing kept on disk (pub/sub
 * needs no persistence), and resolves once it accepts connections.
 */
export async function startRedisProcess(
  options: RedisProcessOptions,
): Promise<ManagedProcess> {
  const binary =
    options.binary ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const redis = new ManagedProcess({
    name: options.name ?? 'redis',
    command: binary,
    args: [
      '--port',
      String(options.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--logfile',
      '',
      ...(options.extraArgs ?? []),
    ],
    onLine: options.onLine,
  });
  try {
    await redis.waitForOutput(
      'Ready to accept connections',
      options.readyTimeoutMs ?? 15_000,
    );
  } catch (error) {
    await redis.stop();
    if (redis.describeExit().startsWith('could not start')) {
      throw new Error(
        `Could not run ${binary}: install it (apt-get install redis-server), ` +
          'or set REDIS_URL to use a Redis of your own',
        { cause: error },
      );
    }
    throw error;
  }
  return redis;
}
