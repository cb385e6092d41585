import type { IncomingMessage } from 'node:http';
import type { ConnectionRateSettings } from '../options/resolved-propagator-options';
import type { PropagatorMetrics } from '../redis-propagator/propagator-metrics';
import type { RateLimitedLogger } from '../shared/rate-limited-logger';
import { TokenBucket } from '../shared/token-bucket';

/** How many addresses' buckets are kept before the full ones are forgotten. */
const PRUNE_ABOVE = 10_000;

/** Engine.IO's `allowRequest` callback: an error message, and whether to accept. */
type Verdict = (error: string | null | undefined, accepted: boolean) => void;

/**
 * Checks each HTTP request that opens or carries an Engine.IO connection,
 * before Socket.IO does anything with it (`allowRequest`):
 * - a browser's `Origin`, when an allow-list is set: listed, or the page's
 *   own host; a request with no `Origin` (not a browser) passes;
 * - new connections per client address, a token bucket per address; the
 *   address is the peer's, or with `trustedProxies` set, the one that many
 *   hops back in `X-Forwarded-For`.
 *
 * A refused request gets HTTP 403 with `{"code":4,"message":"<why>"}`, and
 * Socket.IO's client a `connect_error`.
 */
export class ConnectionAdmission {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly allowedOrigins: ReadonlySet<string> | undefined,
    private readonly rate: ConnectionRateSettings | undefined,
    private readonly trustedProxies: number,
    private readonly metrics: PropagatorMetrics,
    private readonly logger: RateLimitedLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Engine.IO's `allowRequest`. */
  check(request: IncomingMessage, verdict: Verdict): void {
    const origin = request.headers.origin;
    if (origin !== undefined && !this.isAllowedOrigin(origin, request)) {
      this.refuse(
        verdict,
        'origin_not_allowed',
        'origin not allowed',
        `origin ${origin}`,
      );
      return;
    }
    // Only a handshake opens a connection; later requests carry one.
    const opensConnection = !/[?&]sid=/.test(request.url ?? '');
    if (this.rate && opensConnection) {
      const address = this.clientAddress(request);
      if (!this.bucketOf(address).take()) {
        this.refuse(
          verdict,
          'connection_rate_limited',
          'too many connections from this address',
          `address ${address}`,
        );
        return;
      }
    }
    verdict(null, true);
  }

  private isAllowedOrigin(origin: string, request: IncomingMessage): boolean {
    if (!this.allowedOrigins || this.allowedOrigins.has(origin)) {
      return true;
    }
    // The page's own host (behind a proxy, Host may lack the port).
    const host = request.headers.host?.replace(/:\d+$/, '');
    try {
      return host !== undefined && new URL(origin).hostname === host;
    } catch {
      return false;
    }
  }

  private clientAddress(request: IncomingMessage): string {
    const peer = request.socket.remoteAddress ?? 'unknown';
    if (this.trustedProxies === 0) {
      return peer;
    }
    const forwarded = String(request.headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    // Each trusted proxy appended the address it saw; the one that many
    // entries from the end is the first that no client could write.
    return forwarded[forwarded.length - this.trustedProxies] ?? peer;
  }

  private bucketOf(address: string): TokenBucket {
    let bucket = this.buckets.get(address);
    if (!bucket) {
      if (this.buckets.size >= PRUNE_ABOVE) {
        for (const [known, old] of this.buckets) {
          if (old.isFull()) this.buckets.delete(known);
        }
      }
      const rate = this.rate as ConnectionRateSettings;
      bucket = new TokenBucket(rate.connectionsPerSecond, rate.burst, this.now);
      this.buckets.set(address, bucket);
    }
    return bucket;
  }

  private refuse(
    verdict: Verdict,
    code: string,
    message: string,
    detail: string,
  ): void {
    this.metrics.countConnectionRefused(code);
    this.logger.warn(
      `refused:${code}`,
      `Refused a connection: ${message} (${detail})`,
    );
    verdict(message, false);
  }
}
