import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import { RateLimitedLogger } from '../shared/rate-limited-logger';
import { type GuardedConnection, SlowClientGuard } from './slow-client-guard';

/** An Engine.IO connection over a WebSocket whose peer reads `bufferedAmount` slowly. */
class FakeConnection extends EventEmitter implements GuardedConnection {
  readonly id = 'conn-1';
  readonly closes: Array<boolean | undefined> = [];
  readonly transport = {
    socket: {
      bufferedAmount: 0,
      terminated: false,
      terminate() {
        this.terminated = true;
      },
    },
  };

  queue(data: unknown): void {
    this.emit('packetCreate', { data });
  }

  close(discard?: boolean): void {
    this.closes.push(discard);
  }
}

function guard(limit: number) {
  const lines: string[] = [];
  let disconnects = 0;
  const logger = { warn: (line: string) => void lines.push(line) };
  const slowClients = new SlowClientGuard(
    limit,
    () => (disconnects += 1),
    new RateLimitedLogger(logger as unknown as Logger),
  );
  return { slowClients, lines, disconnects: () => disconnects };
}

describe('SlowClientGuard', () => {
  it('lets a client that keeps up receive any amount', () => {
    const { slowClients, disconnects } = guard(100);
    const connection = new FakeConnection();
    slowClients.watch(connection);

    for (let i = 0; i < 50; i += 1) {
      connection.queue('x'.repeat(60));
      connection.emit('flush');
    }

    expect(connection.closes).toEqual([]);
    expect(disconnects()).toBe(0);
  });

  it('closes, discarding, once queued and WebSocket-buffered bytes pass the limit, and counts it once', () => {
    const { slowClients, lines, disconnects } = guard(100);
    const connection = new FakeConnection();
    slowClients.watch(connection);

    connection.transport.socket.bufferedAmount = 60;
    connection.queue(Buffer.alloc(30));
    expect(connection.closes).toEqual([]);
    connection.queue('x'.repeat(11));
    connection.queue('x'.repeat(11));

    expect(connection.closes).toEqual([true]);
    expect(connection.transport.socket.terminated).toBe(true);
    expect(disconnects()).toBe(1);
    expect(lines).toEqual([
      'Disconnected connection conn-1: 101 bytes unsent, over the limit of 100 (maxBufferedBytes)',
    ]);
  });

  it('closes a polling client too, which has no WebSocket', () => {
    const { slowClients, disconnects } = guard(10);
    const connection = new FakeConnection();
    (connection as { transport: unknown }).transport = {};
    slowClients.watch(connection);

    connection.queue('x'.repeat(11));

    expect(connection.closes).toEqual([true]);
    expect(disconnects()).toBe(1);
  });
});
