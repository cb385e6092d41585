import type { Socket } from 'socket.io';
import type {
  EventRefusalCode,
  PropagatorMetrics,
} from '../redis-propagator/propagator-metrics';
import { answerRefusal } from '../redis-propagator/refused-event';
import type { RateLimitSettings } from '../options/resolved-propagator-options';
import type { RateLimitedLogger } from '../shared/rate-limited-logger';
import { TokenBucket } from '../shared/token-bucket';

const ABUSE_WINDOW_MS = 5_000;

/** What the limits read of an Engine.IO connection (`socket.conn`). */
export interface InboundConnection {
  on(
    event: 'packet',
    listener: (packet: { type: string; data?: unknown }) => void,
  ): unknown;
}

/** A connection's state: its last event's size, its token bucket, its refusals. */
class ConnectionBudget {
  /** Bytes of the event being decoded: its packet and binary attachments. */
  eventBytes = 0;
  /** Set once the client is disconnected for abuse: what it sent meanwhile is dropped unanswered. */
  closed = false;
  private readonly bucket?: TokenBucket;
  private windowStartedAt = 0;
  private refusedInWindow = 0;

  constructor(
    private readonly rate: RateLimitSettings | undefined,
    private readonly now: () => number,
  ) {
    if (rate) {
      this.bucket = new TokenBucket(rate.eventsPerSecond, rate.burst, now);
    }
  }

  /** Takes a token; false when the bucket is empty. */
  take(): boolean {
    return this.bucket?.take() ?? true;
  }

  /** Records a refusal; true once the client has earned a disconnect. */
  refuse(): boolean {
    if (!this.rate) {
      return false;
    }
    const now = this.now();
    if (now - this.windowStartedAt >= ABUSE_WINDOW_MS) {
      this.windowStartedAt = now;
      this.refusedInWindow = 0;
    }
    this.refusedInWindow += 1;
    return this.refusedInWindow > this.rate.disconnectAfterRefusals;
  }
}

/**
 * Checks each event a client sends before any handler sees it: its size
 * (`maxEventBytes`, counted on the wire: the packet and its binary
 * attachments) and its connection's rate (a token bucket shared by the
 * connection's namespaces). A refused event is not handled: the client gets
 * an `exception` event, or the answer to its ack, naming the limit. A
 * client that keeps going past the rate is disconnected.
 */
export class InboundLimits {
  private readonly budgets = new WeakMap<object, ConnectionBudget>();

  constructor(
    private readonly maxEventBytes: number,
    private readonly rate: RateLimitSettings | undefined,
    private readonly metrics: PropagatorMetrics,
    private readonly logger: RateLimitedLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Measures the events of a new connection as they arrive. */
  watch(connection: InboundConnection): void {
    const budget = new ConnectionBudget(this.rate, this.now);
    this.budgets.set(connection, budget);
    connection.on('packet', (packet) => {
      if (packet.type !== 'message') {
        return;
      }
      const { data } = packet;
      // A text packet starts an event; binary attachments follow it.
      if (typeof data === 'string') {
        budget.eventBytes = Buffer.byteLength(data);
      } else if (Buffer.isBuffer(data) || data instanceof ArrayBuffer) {
        budget.eventBytes += data.byteLength;
      }
    });
  }

  /** Installs the checks on a socket, before its handlers. */
  guard(socket: Socket): void {
    const budget = this.budgets.get(socket.conn);
    if (!budget) {
      return;
    }
    socket.use((packet, next) => {
      if (budget.closed) {
        return;
      }
      if (budget.eventBytes > this.maxEventBytes) {
        this.refuse(
          socket,
          packet,
          'payload_too_large',
          `The event is ${budget.eventBytes} bytes; the limit is ${this.maxEventBytes} (maxEventBytes)`,
        );
        return;
      }
      if (!budget.take()) {
        const { eventsPerSecond, burst } = this.rate as RateLimitSettings;
        this.refuse(
          socket,
          packet,
          'rate_limited',
          `Too many events: the limit is ${eventsPerSecond} per second, with bursts of ${burst} (rateLimit)`,
        );
        if (budget.refuse()) {
          budget.closed = true;
          this.disconnectAbusive(socket);
        }
        return;
      }
      next();
    });
  }

  private refuse(
    socket: Socket,
    packet: unknown[],
    code: EventRefusalCode,
    message: string,
  ): void {
    const event = String(packet[0]);
    this.metrics.countEventRefused(code);
    this.logger.warn(
      `refused:${code}`,
      `Refused "${event}" from socket ${socket.id}: ${message}`,
    );
    answerRefusal(socket, packet, { status: 'error', code, message, event });
  }

  private disconnectAbusive(socket: Socket): void {
    this.metrics.countDisconnect('abuse');
    this.logger.warn(
      'disconnect:abuse',
      `Disconnected socket ${socket.id}: it kept sending past the rate limit`,
    );
    socket.disconnect(true);
  }
}
