import { Cluster, type Redis } from 'ioredis';
import type { PubSubTransport } from '../redis/pubsub-transport.interface';
import { withTimeout } from '../shared/with-timeout';

/**
 * Publishing over one ioredis client, a Redis or a Cluster, bounded in time:
 * a publish waits for the connection to be ready and for Redis' answer at
 * most `timeoutMs` in all, then rejects. While the connection is down
 * nothing is queued, so a publish that rejected is never sent later. On a
 * cluster, a channel for which `isSharded` holds (a user's or a room's own) takes
 * `SPUBLISH`, as the app subscribes to it with `SSUBSCRIBE`.
 */
export class RedisPublishTransport implements Pick<
  PubSubTransport,
  'publish' | 'claim'
> {
  private ready?: Promise<void>;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly timeoutMs: number,
    private readonly isSharded: (channel: string) => boolean = () => false,
  ) {}

  async publish(channel: string, payload: string | Buffer): Promise<number> {
    const deadline = Date.now() + this.timeoutMs;
    await this.whenReady(deadline);
    const sent =
      this.client instanceof Cluster && this.isSharded(channel)
        ? (this.client.spublish(channel, payload) as Promise<number>)
        : this.client.publish(channel, payload);
    return this.withDeadline(sent, deadline, 'answer');
  }

  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const deadline = Date.now() + this.timeoutMs;
    await this.whenReady(deadline);
    const answer = await this.withDeadline(
      this.client.set(key, '1', 'EX', ttlSeconds, 'NX'),
      deadline,
      'answer',
    );
    return answer === 'OK';
  }

  private async whenReady(deadline: number): Promise<void> {
    const { status } = this.client;
    if (status === 'ready') {
      return;
    }
    if (status === 'end') {
      throw new Error('the Redis connection is closed');
    }
    if (status === 'wait') {
      // A lazyConnect client of the caller's: connect it now.
      this.client.connect().catch(() => undefined);
    }
    // One listener however many publishes wait for the connection.
    this.ready ??= new Promise<void>((resolve) =>
      this.client.once('ready', () => {
        this.ready = undefined;
        resolve();
      }),
    );
    await this.withDeadline(this.ready, deadline, 'connect');
  }

  private withDeadline<T>(
    promise: Promise<T>,
    deadline: number,
    what: string,
  ): Promise<T> {
    return withTimeout(
      promise,
      deadline - Date.now(),
      () =>
        new Error(
          `Redis did not ${what} within ${this.timeoutMs} ms (status: ${this.client.status})`,
        ),
    );
  }
}
