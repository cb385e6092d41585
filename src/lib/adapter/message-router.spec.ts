import { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { interval, map, of, take } from 'rxjs';
import type { Socket } from 'socket.io';
import { MessageRouter } from './message-router';

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

type Middleware = (packet: unknown[], next: (error?: Error) => void) => void;

/** A socket that takes middlewares (`use`) and records what it emits. */
function fakeSocket() {
  const events = new EventEmitter();
  const middlewares: Middleware[] = [];
  const emitted: unknown[][] = [];
  const socket = {
    connected: true,
    use: (middleware: Middleware) => middlewares.push(middleware),
    once: (event: string, listener: () => void) => events.once(event, listener),
    emit: (...args: unknown[]) => emitted.push(args),
  };
  return {
    socket: socket as unknown as Socket,
    emitted,
    receive: (event: string, ...args: unknown[]) => {
      const run = (index: number) =>
        middlewares[index]?.([event, ...args], () => run(index + 1));
      run(0);
    },
    disconnect: () => {
      socket.connected = false;
      events.emit('disconnect');
    },
  };
}

function route(
  message: string,
  callback: (data: unknown, ack?: unknown) => unknown,
  isAckHandledManually = false,
): MessageMappingProperties {
  return {
    message,
    methodName: message,
    isAckHandledManually,
    callback: callback as MessageMappingProperties['callback'],
  };
}

function setup(handlers: MessageMappingProperties[]) {
  const socket = fakeSocket();
  const adapter = new IoAdapter();
  const errors: unknown[] = [];
  const logger: Pick<Logger, 'error'> = {
    error: (e: unknown) => void errors.push(e),
  };
  new MessageRouter(
    socket.socket,
    (payload) => adapter.mapPayload(payload),
    logger,
  ).add(handlers);
  return { ...socket, errors };
}

describe('MessageRouter', () => {
  it('answers as Nest does: a WsResponse as an event, another value through the ack, nothing for null', async () => {
    const acks: unknown[] = [];
    const { receive, emitted } = setup([
      route('reply', (data) => ({ event: 'reply', data })),
      route('value', (data) => Promise.resolve({ got: data })),
      route('nothing', () => null),
    ]);

    receive('reply', 1);
    receive('value', 2, (answer: unknown) => acks.push(answer));
    receive('nothing', 3, (answer: unknown) => acks.push(answer));
    receive('unknown', 4);
    await settle();

    expect(emitted).toEqual([['reply', 1]]);
    expect(acks).toEqual([{ got: 2 }]);
  });

  it('passes several arguments as an array and the ack apart, and leaves a manual ack alone', async () => {
    const seen: unknown[] = [];
    const acks: unknown[] = [];
    const { receive } = setup([
      route('many', (data, ack) => {
        seen.push(data, typeof ack);
        return 'auto';
      }),
      route('manual', () => 'not sent', true),
    ]);

    receive('many', 'a', 'b', (answer: unknown) => acks.push(answer));
    receive('manual', 'x', (answer: unknown) => acks.push(answer));
    await settle();

    expect(seen).toEqual([['a', 'b'], 'function']);
    expect(acks).toEqual(['auto']);
  });

  it('emits each response of an Observable, and unsubscribes one still running on disconnect', async () => {
    const { receive, emitted, disconnect } = setup([
      route('burst', () =>
        of(1, 2).pipe(map((n) => ({ event: 'n', data: n }))),
      ),
      route('ticks', () =>
        interval(1).pipe(
          take(1_000),
          map((n) => ({ event: 'tick', data: n })),
        ),
      ),
    ]);

    receive('burst');
    receive('ticks');
    await settle();
    disconnect();
    const ticks = emitted.filter(([event]) => event === 'tick').length;
    await settle();

    expect(emitted.slice(0, 2)).toEqual([
      ['n', 1],
      ['n', 2],
    ]);
    expect(ticks).toBeGreaterThan(0);
    expect(emitted.filter(([event]) => event === 'tick')).toHaveLength(ticks);
  });

  it('logs a handler that throws or rejects, and keeps routing', async () => {
    const { receive, emitted, errors } = setup([
      route('throws', () => {
        throw new Error('sync');
      }),
      route('rejects', () => Promise.reject(new Error('async'))),
      route('ok', () => ({ event: 'ok', data: true })),
    ]);

    receive('throws');
    receive('rejects');
    receive('ok');
    await settle();

    expect(errors.map((e) => (e as Error).message)).toEqual(['sync', 'async']);
    expect(emitted).toEqual([['ok', true]]);
  });
});
