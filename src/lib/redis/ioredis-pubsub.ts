import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import { RateLimitedLogger } from '../shared/rate-limited-logger';
import { withTimeout } from '../shared/with-timeout';
import { HOLD_COUNT_LUA } from './hold-count.lua';
import type {
  CountHold,
  HeldCount,
  PubSubTransport,
  TransportMessageHandler,
} from './pubsub-transport.interface';

/** A single Redis or a Redis Cluster: what both transports are built on. */
export type IoRedisClient = Redis | Cluster;

/** The script command the transports define on their publisher connection. */
interface HoldCountCommand {
  propagatorHoldCount(
    key: string,
    holder: string,
    count: number,
    leaseMs: number,
    limit: number,
  ): Promise<[number, number]>;
}

/**
 * Pub/sub over ioredis: one publisher client and one subscriber client, a
 * Redis or a Cluster. What the two transports share: commands that fail
 * fast, claims, held counts, readiness, reconnect counts and closing.
 *
 * A command fails fast: at once while the publisher is not connected (it
 * never waits in ioredis' offline queue for a reconnect), and after
 * `publishTimeoutMs` when a connected Redis does not answer. Delivery is at
 * most once anyway, and the caller learns of the failure while it matters.
 */
export abstract class IoRedisPubSub<
  Client extends IoRedisClient,
> implements PubSubTransport {
  abstract readonly kind: string;
  protected handler: TransportMessageHandler = () => undefined;
  protected readonly logger: Logger;
  private readonly rateLimited: RateLimitedLogger;
  private closing?: Promise<void>;
  private hasConnected = false;
  private connectionsMade = 0;

  protected constructor(
    name: string,
    protected readonly publisher: Client,
    protected readonly subscriber: Client,
    private readonly publishTimeoutMs: number,
  ) {
    this.logger = new Logger(name);
    this.rateLimited = new RateLimitedLogger(this.logger);
    this.watch('publisher', publisher);
    this.watch('subscriber', subscriber);
    publisher.once('ready', () => (this.hasConnected = true));
    publisher.defineCommand('propagatorHoldCount', {
      numberOfKeys: 1,
      lua: HOLD_COUNT_LUA,
    });
    // One listener for every channel; RedisService dispatches by channel.
    subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) =>
      this.handler(channel.toString(), message),
    );
  }

  /** Connections made again after a loss, of both clients. */
  get reconnects(): number {
    // Each client's first 'ready' is not a reconnect.
    return Math.max(0, this.connectionsMade - 2);
  }

  publish(channel: string, payload: string | Buffer): Promise<number> {
    return this.command(() => this.publisher.publish(channel, payload));
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const answer = await this.command(() =>
      this.publisher.set(key, '1', 'EX', ttlSeconds, 'NX'),
    );
    return answer === 'OK';
  }

  async holdCount({
    key,
    holder,
    count,
    leaseMs,
    limit,
  }: CountHold): Promise<HeldCount> {
    const publisher = this.publisher as unknown as HoldCountCommand;
    const [granted, others] = await this.command(() =>
      publisher.propagatorHoldCount(key, holder, count, leaseMs, limit ?? -1),
    );
    return { granted: granted === 1, others };
  }

  async subscribe(channels: readonly string[]): Promise<void> {
    if (channels.length > 0) {
      await this.subscriber.subscribe(...channels);
    }
  }

  async unsubscribe(channels: readonly string[]): Promise<void> {
    // While disconnected this waits in the offline queue, which ioredis
    // sends after its own resubscription: the channel ends unsubscribed.
    if (channels.length > 0) {
      await this.subscriber.unsubscribe(...channels);
    }
  }

  setMessageHandler(handler: TransportMessageHandler): void {
    this.handler = handler;
  }

  isReady(): boolean {
    return (
      this.publisher.status === 'ready' && this.subscriber.status === 'ready'
    );
  }

  async whenReady(): Promise<void> {
    await Promise.all([
      whenClientReady(this.publisher),
      whenClientReady(this.subscriber),
    ]);
  }

  close(): Promise<void> {
    this.closing ??= Promise.all([
      quit(this.publisher),
      quit(this.subscriber),
    ]).then(() => undefined);
    return this.closing;
  }

  /** Runs a command of the publisher client, failing fast. */
  protected command<T>(run: () => Promise<T>): Promise<T> {
    const { status } = this.publisher;
    if (status === 'ready') {
      return withTimeout(
        run(),
        this.publishTimeoutMs,
        () =>
          new Error(`Redis did not answer within ${this.publishTimeoutMs} ms`),
      );
    }
    if (this.hasConnected || status === 'end' || status === 'close') {
      return Promise.reject(
        new Error(`the Redis publisher is not connected (${status})`),
      );
    }
    // Still making its first connection, at start-up: worth the wait.
    return withTimeout(
      whenClientReady(this.publisher).then(run),
      this.publishTimeoutMs,
      () =>
        new Error(
          `Redis did not connect and answer within ${this.publishTimeoutMs} ms`,
        ),
    );
  }

  private watch(role: string, client: IoRedisClient): void {
    client.on('ready', () => {
      this.connectionsMade += 1;
      this.logger.log(`Redis ${role} ready`);
    });
    client.on('reconnecting', (delayMs: number) =>
      this.rateLimited.warn(
        `${role}-reconnecting`,
        `Redis ${role} reconnecting in ${delayMs} ms`,
      ),
    );
    client.on('error', (error: Error) =>
      this.rateLimited.error(
        `${role}-error`,
        `Redis ${role} error: ${error.message}`,
      ),
    );
  }
}

function whenClientReady(client: IoRedisClient): Promise<void> {
  if (client.status === 'ready') {
    return Promise.resolve();
  }
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

async function quit(client: IoRedisClient): Promise<void> {
  if (client.status === 'end') {
    return;
  }
  if (client.status !== 'ready') {
    // QUIT would wait in the offline queue for a server that is not there.
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
