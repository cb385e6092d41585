import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  PROPAGATOR_OPTIONS,
  type ResolvedPropagatorOptions,
} from '../options/resolved-propagator-options';
import type { CountHold } from '../redis/pubsub-transport.interface';
import { RedisService } from '../redis/redis.service';
import { RateLimitedLogger } from '../shared/rate-limited-logger';

/** Refuses a connection whose user is at `maxSocketsPerUser`: `connect_error` with this. */
export class TooManySocketsError extends Error {
  override readonly name = 'TooManySocketsError';
  readonly data: { readonly code: 'too_many_sockets'; readonly limit: number };

  constructor(limit: number) {
    super(`too many sockets for this user (the limit is ${limit})`);
    this.data = { code: 'too_many_sockets', limit };
  }
}

const RELEASED = () => undefined;

/**
 * Counts each user's sockets across every instance, and refuses one past
 * `maxSocketsPerUser`. Each instance holds its own count of a user under a
 * lease (one Redis hash per user, one round trip per connect and
 * disconnect) and renews the leases of the users it holds every third of
 * the lease; an instance that dies without a word stops counting when its
 * lease ends.
 *
 * It fails open: while Redis cannot answer, a connection is checked
 * against this instance's own sockets only.
 */
@Injectable()
export class SocketQuota implements OnModuleDestroy {
  private readonly held = new Map<string, number>();
  private readonly limit?: number;
  private readonly leaseMs: number;
  private readonly holder: string;
  private readonly logger = new RateLimitedLogger(new Logger(SocketQuota.name));
  private renewal?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisService,
    @Inject(PROPAGATOR_OPTIONS)
    private readonly options: ResolvedPropagatorOptions,
  ) {
    this.limit = options.maxSocketsPerUser;
    this.leaseMs = options.socketLeaseMs;
    this.holder = options.origin.toString('hex');
  }

  /**
   * Takes one of the user's sockets. Resolves with the function that gives
   * it back (once, however often it is called); rejects with a
   * {@link TooManySocketsError} when the user is at the limit.
   */
  async acquire(userId: string): Promise<() => void> {
    const { limit } = this;
    if (limit === undefined) {
      return RELEASED;
    }
    const count = (this.held.get(userId) ?? 0) + 1;
    if (count > limit) {
      throw this.refusal(userId, limit);
    }
    this.held.set(userId, count);
    this.renewLeases();
    let granted = true;
    try {
      const answer = await this.redis.holdCount(
        this.countOf(userId, count, limit),
      );
      granted = answer?.granted ?? true;
    } catch (error) {
      this.logger.warn(
        'count',
        `Could not count the sockets of user ${userId} across instances; counting this instance's only: ${(error as Error).message}`,
      );
    }
    if (!granted) {
      this.release(userId);
      throw this.refusal(userId, limit);
    }
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.release(userId);
      }
    };
  }

  private refusal(userId: string, limit: number): TooManySocketsError {
    this.logger.warn(
      'too-many-sockets',
      `Refused a socket of user ${userId}: the user has ${limit} already (maxSocketsPerUser)`,
    );
    return new TooManySocketsError(limit);
  }

  onModuleDestroy(): void {
    clearInterval(this.renewal);
  }

  private release(userId: string): void {
    const count = (this.held.get(userId) ?? 1) - 1;
    if (count > 0) {
      this.held.set(userId, count);
    } else {
      this.held.delete(userId);
    }
    this.store(userId, count);
  }

  /** Sets this instance's count of the user, with a fresh lease. */
  private store(userId: string, count: number): void {
    this.redis
      .holdCount(this.countOf(userId, count))
      ?.catch((error: Error) =>
        this.logger.warn(
          'store',
          `Could not store the socket count of user ${userId}: ${error.message}`,
        ),
      );
  }

  /** This instance's count of the user's sockets, under a fresh lease. */
  private countOf(userId: string, count: number, limit?: number): CountHold {
    return {
      key: this.options.channels.socketsKey(userId),
      holder: this.holder,
      count,
      leaseMs: this.leaseMs,
      limit,
    };
  }

  private renewLeases(): void {
    if (this.renewal) {
      return;
    }
    this.renewal = setInterval(() => {
      for (const [userId, count] of this.held) {
        this.store(userId, count);
      }
    }, this.leaseMs / 3);
    this.renewal.unref();
  }
}
