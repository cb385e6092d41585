import { Injectable } from '@nestjs/common';
import { type HistogramState, PropagatorMetrics } from './propagator-metrics';
import { RoomRouter } from '../rooms/room-router';
import { RedisService } from '../redis/redis.service';
import { EventStreamRegistry } from '../socket-state/event-stream-registry';
import { SocketStateService } from '../socket-state/socket-state.service';

/** One sample of a metric family. */
export interface MetricSample {
  readonly value: number;
  readonly labels?: Readonly<Record<string, string | number>>;
  /** Set on a histogram's `_bucket`, `_sum` and `_count` samples. */
  readonly metricName?: string;
}

/**
 * A metric and its samples, in the shape Prometheus clients use: prom-client
 * takes it as is from a metric's `get()`, and it maps one to one onto the
 * text exposition format.
 */
export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly values: readonly MetricSample[];
  readonly aggregator: 'sum';
}

/**
 * What `registerWith` needs of a registry: prom-client's `Registry`. Each
 * metric it is given has `name`, `help`, `type` and `aggregator`, a `get()`
 * that resolves with its {@link MetricFamily}, and a no-op `reset()`.
 */
export interface MetricRegistry {
  // `never`: prom-client types its parameter as a union of its own classes,
  // which the metrics here are not, though they have all it reads.
  registerMetric(metric: never): void;
}

const PREFIX = 'propagator_';

/**
 * The propagator's metrics, for any Prometheus client: `collect()` reads
 * them now, as metric families; `registerWith(registry)` adds them to a
 * prom-client registry (or anything with its `registerMetric`), read on
 * every scrape. Names start with `propagator_`; the README lists them.
 */
@Injectable()
export class PropagatorMetricsCollector {
  constructor(
    private readonly metrics: PropagatorMetrics,
    private readonly socketState: SocketStateService,
    private readonly redis: RedisService,
    private readonly streams: EventStreamRegistry,
    private readonly router: RoomRouter,
  ) {
    this.definitions = this.define();
  }

  private readonly definitions: readonly Definition[];

  /** Every metric family, read now. */
  collect(): MetricFamily[] {
    return this.definitions.map(read);
  }

  /** Adds every metric to a prom-client registry; each is read on every scrape. */
  registerWith(registry: MetricRegistry): void {
    for (const definition of this.definitions) {
      const metric = {
        name: definition.name,
        help: definition.help,
        type: definition.type,
        aggregator: 'sum',
        get: () => Promise.resolve(read(definition)),
        reset: () => undefined,
      };
      registry.registerMetric(metric as never);
    }
  }

  private define(): Definition[] {
    const { metrics } = this;
    const byKind = (counts: Record<string, number>) =>
      Object.entries(counts).map(([kind, value]) => ({
        value,
        labels: { kind },
      }));
    const byCode = (counts: ReadonlyMap<string, number>, label: string) =>
      [...counts].map(([code, value]) => ({
        value,
        labels: { [label]: code },
      }));
    return [
      gauge(
        'sockets',
        'Sockets connected to this instance, by namespace.',
        () =>
          this.socketState.allNamespaces().map((nsp) => ({
            value: nsp.sockets.size,
            labels: { namespace: nsp.name },
          })),
      ),
      gauge(
        'authenticated_users',
        'Users with at least one socket here.',
        () => [{ value: this.socketState.userCount }],
      ),
      gauge(
        'user_channels',
        "Users' own channels this instance subscribes to.",
        () => [{ value: this.router.userChannels }],
      ),
      gauge(
        'rooms',
        "Rooms with a socket here, by namespace (sockets' own rooms aside).",
        () =>
          this.socketState.allNamespaces().map((nsp) => ({
            value: [...nsp.adapter.rooms.keys()].filter(
              (room) => !nsp.sockets.has(room),
            ).length,
            labels: { namespace: nsp.name },
          })),
      ),
      gauge(
        'room_channels',
        'Channels this instance holds for rooms, users and namespaces.',
        () => [{ value: this.router.heldChannels }],
      ),
      gauge('event_streams', 'Listen-only clients (SSE) open here.', () => [
        { value: this.streams.size },
      ]),
      counter(
        'messages_published_total',
        'Messages published to the transport, by channel kind.',
        () => byKind(metrics.published),
      ),
      counter(
        'messages_consumed_total',
        'Messages received from the transport, valid or not, by channel kind.',
        () => byKind(metrics.consumed),
      ),
      counter(
        'messages_delivered_total',
        "Deliveries to this instance's sockets and streams, by channel kind: one message to three tabs counts three.",
        () => byKind(metrics.delivered),
      ),
      counter(
        'messages_dropped_total',
        'Received messages dropped, by channel kind and reason.',
        () =>
          Object.entries(metrics.dropped).flatMap(([kind, reasons]) =>
            Object.entries(reasons).map(([reason, value]) => ({
              value,
              labels: { kind, reason },
            })),
          ),
      ),
      counter(
        'messages_refused_total',
        'Messages refused before publishing, by reason.',
        () =>
          Object.entries(metrics.publishRefused).map(([reason, value]) => ({
            value,
            labels: { reason },
          })),
      ),
      counter(
        'messages_duplicate_total',
        'Messages not published again: their id was seen within the idempotency window.',
        () => [{ value: metrics.duplicates }],
      ),
      counter(
        'publish_failures_total',
        'Publishes the transport refused or did not answer in time.',
        () => [{ value: metrics.publishFailed }],
      ),
      histogram(
        'publish_duration_seconds',
        'Time from publish to the transport answering.',
        () => metrics.publishLatency(),
      ),
      counter(
        'delivery_failures_total',
        'Valid messages whose delivery to local sockets threw.',
        () => [{ value: metrics.deliveryFailed }],
      ),
      gauge(
        'redis_up',
        '1 when the transport is connected and its channels subscribed.',
        () => [{ value: this.redis.isReady() ? 1 : 0 }],
      ),
      counter(
        'redis_reconnects_total',
        'Connections to Redis made again after a loss.',
        () => [{ value: this.redis.reconnects }],
      ),
      counter(
        'events_refused_total',
        "Clients' events refused by a limit, by code.",
        () => byCode(metrics.eventsRefused, 'code'),
      ),
      counter(
        'disconnects_total',
        'Connections this instance closed, by reason (abuse, slow_client).',
        () => byCode(metrics.disconnects, 'reason'),
      ),
      counter(
        'connections_refused_total',
        'Connections refused at the handshake, by code.',
        () => byCode(metrics.connectionsRefused, 'code'),
      ),
    ];
  }
}

/** A metric family's fixed parts, and how to read its samples now. */
interface Definition {
  readonly name: string;
  readonly help: string;
  readonly type: MetricFamily['type'];
  readonly samples: () => readonly MetricSample[];
}

function read(definition: Definition): MetricFamily {
  const { name, help, type } = definition;
  return { name, help, type, values: definition.samples(), aggregator: 'sum' };
}

function define(
  type: MetricFamily['type'],
  name: string,
  help: string,
  samples: () => readonly MetricSample[],
): Definition {
  return { name: PREFIX + name, help, type, samples };
}

const gauge = define.bind(null, 'gauge');
const counter = define.bind(null, 'counter');

function histogram(
  name: string,
  help: string,
  state: () => HistogramState,
): Definition {
  const full = PREFIX + name;
  return define('histogram', name, help, () => {
    const { buckets, counts, sum, count } = state();
    let cumulative = 0;
    return [
      ...buckets.map((le, i) => {
        cumulative += counts[i];
        return {
          value: cumulative,
          labels: { le },
          metricName: `${full}_bucket`,
        };
      }),
      { value: count, labels: { le: '+Inf' }, metricName: `${full}_bucket` },
      { value: sum, metricName: `${full}_sum` },
      { value: count, metricName: `${full}_count` },
    ];
  });
}
