import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { PropagatorMetrics } from '../redis-propagator/propagator-metrics';
import { RateLimitedLogger } from '../shared/rate-limited-logger';
import { InboundLimits } from './inbound-limits';

type Middleware = (packet: unknown[], next: () => void) => void;

function setup(
  rate = { eventsPerSecond: 10, burst: 2, disconnectAfterRefusals: 3 },
) {
  let now = 0;
  const metrics = new PropagatorMetrics();
  const limits = new InboundLimits(
    100,
    rate,
    metrics,
    new RateLimitedLogger({ warn: () => undefined } as unknown as Logger),
    () => now,
  );
  const connection = new EventEmitter();
  const middlewares: Middleware[] = [];
  const emitted: unknown[] = [];
  let disconnects = 0;
  const socket = {
    id: 's1',
    conn: connection,
    use: (middleware: Middleware) => middlewares.push(middleware),
    emit: (event: string, data: unknown) => emitted.push([event, data]),
    disconnect: () => (disconnects += 1),
  } as unknown as Socket;
  limits.watch(connection as never);
  limits.guard(socket);
  /** Receives an event of that wire size; true if a handler would see it. */
  const receive = (bytes: number, attachment?: number) => {
    connection.emit('packet', { type: 'message', data: 'x'.repeat(bytes) });
    if (attachment !== undefined) {
      connection.emit('packet', {
        type: 'message',
        data: Buffer.alloc(attachment),
      });
    }
    let passed = false;
    middlewares[0](['events', 'data'], () => (passed = true));
    return passed;
  };
  return {
    receive,
    emitted,
    metrics,
    disconnects: () => disconnects,
    advance: (ms: number) => (now += ms),
  };
}

describe('InboundLimits', () => {
  it('refuses an event over the size limit, binary attachments included', () => {
    const { receive, emitted, metrics } = setup();

    expect(receive(100)).toBe(true);
    expect(receive(101)).toBe(false);
    expect(receive(60, 41)).toBe(false);
    expect(emitted).toEqual([
      [
        'exception',
        expect.objectContaining({ code: 'payload_too_large', event: 'events' }),
      ],
      ['exception', expect.objectContaining({ code: 'payload_too_large' })],
    ]);
    expect(metrics.eventsRefused.get('payload_too_large')).toBe(2);
  });

  it('lets a burst through, refills at the rate, and disconnects once past the refusals allowed', () => {
    const { receive, metrics, disconnects, advance } = setup();

    expect([receive(1), receive(1), receive(1)]).toEqual([true, true, false]);
    advance(100); // one token back at 10 per second
    expect([receive(1), receive(1)]).toEqual([true, false]);
    expect(receive(1)).toBe(false);
    expect(disconnects()).toBe(0);
    expect(receive(1)).toBe(false); // the fourth refusal within 5 s
    expect(disconnects()).toBe(1);
    expect(receive(1)).toBe(false);
    expect(disconnects()).toBe(1);
    expect(metrics.disconnects.get('abuse')).toBe(1);
    expect(metrics.eventsRefused.get('rate_limited')).toBe(4);
  });

  it('forgives refusals spread wider than the window', () => {
    const { receive, disconnects, advance } = setup({
      eventsPerSecond: 1,
      burst: 1,
      disconnectAfterRefusals: 1,
    });

    receive(1);
    expect(receive(1)).toBe(false);
    advance(5_000);
    receive(1);
    expect(receive(1)).toBe(false);
    expect(disconnects()).toBe(0);
  });
});
