#!/usr/bin/env node
// `propagator`: push to the sockets of an app that uses this library, from
// a shell. One line on stderr and a non-zero exit for anything that fails.
import { parseArgs } from 'node:util';
import { Cluster } from 'ioredis';
import { InvalidMessageError } from '../contract/invalid-message.error';
import { createPropagatorPublisher } from '../publisher/create-propagator-publisher';

const USAGE = `Usage: propagator push (--user <id> | --room <name> | --all | --authenticated) --event <name>
                      [--data <json>] [--namespace <name>] [--socket-id <id>] [--id <key>]
                      [--redis-url <url> | --cluster <host:port,...>]
                      [--prefix <channel prefix>] [--timeout <ms>]

Publishes one event. Redis comes from --redis-url, else from REDIS_URL; a
Redis Cluster from --cluster, else from REDIS_CLUSTER_NODES.
Prints how many instances took it (for --user and --room: how many hold the
user or the room).`;

/** A problem with the command line: exit code 2. */
class UsageError extends Error {}

interface Push {
  target: 'user' | 'room' | 'all' | 'authenticated';
  userId?: string;
  room?: string;
  event: string;
  data: unknown;
  namespace?: string;
  socketId?: string;
  id?: string;
  /** A redis:// URL, or the seed nodes of a cluster. */
  redis: string | string[];
  prefix?: string;
  timeoutMs?: number;
}

function readCommand(argv: string[], env: NodeJS.ProcessEnv): Push {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        user: { type: 'string' },
        room: { type: 'string' },
        all: { type: 'boolean' },
        authenticated: { type: 'boolean' },
        event: { type: 'string' },
        data: { type: 'string' },
        namespace: { type: 'string' },
        'socket-id': { type: 'string' },
        id: { type: 'string' },
        'redis-url': { type: 'string' },
        cluster: { type: 'string' },
        prefix: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (positionals.length !== 1 || positionals[0] !== 'push') {
    throw new UsageError('the command is "propagator push ..."');
  }
  const targets = [
    values.user !== undefined && 'user',
    values.room !== undefined && 'room',
    values.all && 'all',
    values.authenticated && 'authenticated',
  ].filter((target): target is Push['target'] => Boolean(target));
  if (targets.length !== 1) {
    throw new UsageError(
      'name one target: --user <id>, --room <name>, --all or --authenticated',
    );
  }
  if (values.event === undefined) {
    throw new UsageError('--event <name> is required');
  }
  const redis = readRedis(values['redis-url'], values.cluster, env);
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    timeoutMs = Number(values.timeout);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
      throw new UsageError(
        '--timeout must be a positive number of milliseconds',
      );
    }
  }
  return {
    target: targets[0],
    userId: values.user,
    room: values.room,
    event: values.event,
    data: readData(values.data),
    namespace: values.namespace,
    socketId: values['socket-id'],
    id: values.id,
    redis,
    prefix: values.prefix,
    timeoutMs,
  };
}

function readRedis(
  url: string | undefined,
  cluster: string | undefined,
  env: NodeJS.ProcessEnv,
): string | string[] {
  if (url !== undefined && cluster !== undefined) {
    throw new UsageError('pass --redis-url or --cluster, not both');
  }
  const nodes =
    cluster ?? (url === undefined ? env.REDIS_CLUSTER_NODES : undefined);
  if (nodes) {
    return nodes.split(',').map((node) => node.trim());
  }
  const redisUrl = url ?? env.REDIS_URL;
  if (!redisUrl) {
    throw new UsageError(
      'set REDIS_URL or REDIS_CLUSTER_NODES, or pass --redis-url or --cluster',
    );
  }
  return redisUrl;
}

function readData(text: string | undefined): unknown {
  if (text === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `--data is not valid JSON: ${(error as Error).message}`,
    );
  }
}

async function push(command: Push): Promise<number> {
  const cluster = Array.isArray(command.redis)
    ? ownCluster(command.redis)
    : undefined;
  let publisher;
  try {
    publisher = createPropagatorPublisher({
      redis: cluster ?? (command.redis as string),
      channelPrefix: command.prefix,
      timeoutMs: command.timeoutMs,
    });
  } catch (error) {
    cluster?.disconnect();
    throw new UsageError((error as Error).message);
  }
  const { namespace, socketId, id, event, data } = command;
  try {
    switch (command.target) {
      case 'user':
        return await publisher.sendToUser(command.userId ?? '', event, data, {
          namespace,
          socketId,
          id,
        });
      case 'room':
        return await publisher.toRoom(command.room ?? '', event, data, {
          namespace,
          id,
        });
      case 'all':
        return await publisher.emitToAll(event, data, { namespace, id });
      default:
        return await publisher.emitToAuthenticated(event, data, {
          namespace,
          id,
        });
    }
  } finally {
    await publisher.close();
    cluster?.disconnect();
  }
}

function ownCluster(nodes: string[]): Cluster {
  const cluster = new Cluster(nodes, {
    enableOfflineQueue: false,
    redisOptions: { maxRetriesPerRequest: 0, disconnectTimeout: 100 },
  });
  // Failures reach the command as rejections.
  cluster.on('error', () => undefined);
  return cluster;
}

async function main(): Promise<void> {
  try {
    const command = readCommand(process.argv.slice(2), process.env);
    const instances = await push(command);
    console.log(
      `${instances} instance${instances === 1 ? '' : 's'} took the message`,
    );
  } catch (error) {
    const isUsage =
      error instanceof UsageError || error instanceof InvalidMessageError;
    console.error(`propagator: ${(error as Error).message}`);
    if (error instanceof UsageError) {
      console.error('Run "propagator --help" for the usage.');
    }
    process.exitCode = isUsage ? 2 : 1;
  }
}

void main();
