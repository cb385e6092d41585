import { execFile } from 'node:child_process';
import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  createPropagatorPublisher,
  InvalidMessageError,
  PropagatorPublishError,
  type PushPublisher,
} from '../src/lib/publisher';
import { type AppInstance, startInstances } from './support/app-instance';
import { connect } from './support/clients';
import { flush, redisClient } from './support/redis-client';
import { type RedisServer, startRedisServer } from './support/redis-server';
import { useResources } from './support/resources';

const CLI = 'dist/lib/cli/propagator.js';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built command-line tool as a child process. */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 15_000 },
      (error, stdout, stderr) =>
        resolve({
          code: error ? Number(error.code ?? 1) : 0,
          stdout: stdout.trim(),
          stderr: stderr.trim(),
          ms: Date.now() - started,
        }),
    );
  });
}

describe('pushing from a service without Nest', () => {
  const resources = useResources();
  let redis: RedisServer;
  let one: AppInstance;
  let two: AppInstance;
  let publisher: PushPublisher;

  beforeAll(async () => {
    redis = resources.forSuite(await startRedisServer(), (r) => r.stop());
    [one, two] = await startInstances(2, { REDIS_URL: redis.url });
    resources.forSuite(one, (i) => i.close());
    resources.forSuite(two, (i) => i.close());
    publisher = resources.forSuite(
      createPropagatorPublisher({ redis: redis.url }),
      (p) => p.close(),
    );
  });

  const client = async (instance: AppInstance, userId?: string) =>
    resources.forTest(await connect(instance.url, { userId }), (c) =>
      c.close(),
    );

  it("reaches a user's tabs on both instances, and answers how many instances hold the user: 0, 1, 2", async () => {
    expect(await publisher.sendToUser('p1', 'notice', { n: 0 })).toBe(0);
    const tabA = await client(one, 'p1');
    expect(await publisher.sendToUser('p1', 'notice', { n: 1 })).toBe(1);
    const tabB = await client(two, 'p1');
    expect(await publisher.sendToUser(`p${1}`, 'notice', { n: 2 })).toBe(2);

    expect(await tabA.waitFor('notice', 2)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await tabB.waitFor('notice')).toEqual([{ n: 2 }]);
  });

  it('delivers a message id once: the same id again reaches nobody, another id does', async () => {
    const tabA = await client(one, 'p4');
    const tabB = await client(two, 'p4');

    expect(await publisher.sendToUser('p4', 'once', 1, { id: 'order-1' })).toBe(
      2,
    );
    expect(await publisher.sendToUser('p4', 'once', 2, { id: 'order-1' })).toBe(
      0,
    );
    expect(await publisher.emitToAll('once', 3, { id: 'order-1' })).toBe(0);
    expect(await publisher.sendToUser('p4', 'once', 4, { id: 'order-2' })).toBe(
      2,
    );

    const raw = resources.forTest(redisClient(redis.url), (c) => c.quit());
    await flush(raw, [tabA, tabB]);
    expect(tabA.events('once')).toEqual([1, 4]);
    expect(tabB.events('once')).toEqual([1, 4]);
  });

  it('broadcasts to everyone, or to the authenticated sockets only', async () => {
    const user = await client(one, 'p2');
    const anonymous = await client(two);

    expect(await publisher.emitToAll('all', 1)).toBe(2);
    expect(await publisher.emitToAuthenticated('members', 2)).toBe(2);

    expect(await user.waitFor('all')).toEqual([1]);
    expect(await anonymous.waitFor('all')).toEqual([1]);
    expect(await user.waitFor('members')).toEqual([2]);
    const raw = resources.forTest(redisClient(redis.url), (c) => c.quit());
    await flush(raw, [user, anonymous]);
    expect(anonymous.events('members')).toEqual([]);
  });

  it.each([
    ['an empty event', () => publisher.emitToAll('', 1), '"event" must be'],
    [
      'a reserved event',
      () => publisher.sendToUser('1', 'connect'),
      'Socket.IO reserves',
    ],
    ['an empty user id', () => publisher.sendToUser('', 'a'), '"userId"'],
    [
      'a message over the limit',
      () => publisher.emitToAll('a', 'x'.repeat(1_065_537)),
      'over the limit of 1065536',
    ],
  ])('refuses %s with an InvalidMessageError', async (_, call, detail) => {
    const refusal = call();
    await expect(refusal).rejects.toBeInstanceOf(InvalidMessageError);
    await expect(refusal).rejects.toThrow(detail);
  });

  it('refuses options it cannot use, naming them', () => {
    expect(() => createPropagatorPublisher({ redis: 'http://x' })).toThrow(
      'createPropagatorPublisher: "redis" must be a redis:// or rediss:// URL, or an ioredis client',
    );
    expect(() =>
      createPropagatorPublisher({ redis: redis.url, timeoutMs: 0 }),
    ).toThrow(
      'createPropagatorPublisher: "timeoutMs" must be a positive integer',
    );
  });

  it('pushes from the command line: the user gets it, and it prints how many instances took it', async () => {
    const tab = await client(one, 'p3');

    const run = await cli(
      ['push', '--user', 'p3', '--event', 'notice', '--data', '{"text":"hi"}'],
      { REDIS_URL: redis.url },
    );

    expect(run).toMatchObject({
      code: 0,
      stdout: '1 instance took the message',
      stderr: '',
    });
    expect(await tab.waitFor('notice')).toEqual([{ text: 'hi' }]);
    const all = await cli([
      'push',
      '--all',
      '--event',
      'notice',
      '--redis-url',
      redis.url,
    ]);
    expect(all.stdout).toBe('2 instances took the message');
  });

  it('pushes to a room, from Node and from the command line, with the count of instances that hold it', async () => {
    const here = await client(one, 'room-a');
    const there = await client(two, 'room-b');
    for (const tab of [here, there]) {
      await tab.socket
        .timeout(5_000)
        .emitWithAck('chat:join', { roomId: 'pub' });
    }

    expect(await publisher.toRoom('chat:pub', 'notice', 1)).toBe(2);
    expect(await publisher.toRoom('chat:empty', 'notice', 0)).toBe(0);
    const run = await cli(
      ['push', '--room', 'chat:pub', '--event', 'notice', '--data', '2'],
      { REDIS_URL: redis.url },
    );
    expect(run).toMatchObject({
      code: 0,
      stdout: '2 instances took the message',
    });
    expect(await here.waitFor('notice', 2)).toEqual([1, 2]);
    expect(await there.waitFor('notice', 2)).toEqual([1, 2]);
    await expect(publisher.toRoom('', 'notice')).rejects.toThrow(
      'a room name must be a non-empty string',
    );
  });

  it.each([
    [
      ['push', '--event', 'x'],
      'name one target: --user <id>, --room <name>, --all or --authenticated',
    ],
    [['send', '--all', '--event', 'x'], 'the command is "propagator push ..."'],
    [['push', '--all'], '--event <name> is required'],
    [
      ['push', '--all', '--event', 'x', '--data', '{oops'],
      '--data is not valid JSON',
    ],
    [
      ['push', '--all', '--event', 'disconnect'],
      'Invalid propagator message: "event" may not be "disconnect", which Socket.IO reserves',
    ],
    [
      ['push', '--all', '--event', 'x', '--colour'],
      "Unknown option '--colour'",
    ],
  ])('exits 2 with one line for bad arguments: %j', async (args, message) => {
    const run = await cli(args, { REDIS_URL: redis.url });

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toContain(`propagator: ${message}`);
  });
});

describe('pushing while Redis is unreachable', () => {
  const resources = useResources();

  it('rejects within the timeout with a PropagatorPublishError, and recovers when Redis is back', async () => {
    const redis = resources.forTest(await startRedisServer(), (r) => r.stop());
    const publisher = resources.forTest(
      createPropagatorPublisher({ redis: redis.url }),
      (p) => p.close(),
    );
    expect(await publisher.emitToAll('a', 1)).toBe(0);

    await redis.stop();
    const started = Date.now();
    const failure = publisher.emitToAll('a', 2);
    await expect(failure).rejects.toBeInstanceOf(PropagatorPublishError);
    const elapsed = Date.now() - started;
    console.log(`a publish with Redis down rejected after ${elapsed} ms`);
    expect(elapsed).toBeLessThan(2_500);

    await redis.start();
    await expect(publisher.emitToAll('a', 3)).resolves.toBe(0);
  });

  it('makes the command line exit 1 with one line, within its timeout', async () => {
    const run = await cli([
      'push',
      '--all',
      '--event',
      'x',
      '--redis-url',
      'redis://127.0.0.1:1',
      '--timeout',
      '1000',
    ]);

    console.log(`the command gave up after ${run.ms} ms`);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'propagator: Could not publish on REDIS_SOCKET_EVENT_EMIT_ALL_NAME: Redis did not connect within 1000 ms (status: reconnecting)',
    );
    expect(run.ms).toBeLessThan(2_500);
  });

  it('loads neither Nest, nor Socket.IO, nor rxjs', async () => {
    const probe = `
      const Module = require('node:module');
      const resolve = Module._resolveFilename;
      const loaded = [];
      Module._resolveFilename = function (request, ...rest) {
        if (/^(@nestjs|rxjs|socket\\.io|reflect-metadata)/.test(request)) loaded.push(request);
        return resolve.call(this, request, ...rest);
      };
      require('./dist/lib/publisher');
      console.log(JSON.stringify(loaded));`;
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['-e', probe], (error, stdout) =>
        error ? reject(error) : resolve(stdout.trim()),
      ),
    );

    expect(JSON.parse(output)).toEqual([]);
  });
});
