import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  type CallHandler,
  type ExecutionContext,
  Logger,
} from '@nestjs/common';
import { lastValueFrom, of, toArray } from 'rxjs';
import type { Socket } from 'socket.io';
import type { SendToUserMessage } from '../contract/propagator-message.interface';
import { InvalidMessageError } from '../contract/invalid-message.error';
import { PropagatorMetrics } from './propagator-metrics';
import { RedisPropagatorInterceptor } from './redis-propagator.interceptor';
import type { RedisPropagatorService } from './redis-propagator.service';

function setup(
  options: {
    user?: { userId: string };
    failPublish?: Error;
    ack?: (response: unknown) => void;
  } = {},
) {
  const published: SendToUserMessage[] = [];
  const propagator = {
    propagateEvent: (message: SendToUserMessage) => {
      published.push(message);
      return options.failPublish
        ? Promise.reject(options.failPublish)
        : Promise.resolve();
    },
  } as unknown as RedisPropagatorService;
  const emitted: [string, unknown][] = [];
  const socket = {
    id: 'socket-a',
    connected: true,
    emit: (event: string, data: unknown) => emitted.push([event, data]),
    nsp: { name: '/chat' },
    data: options.user ? { user: { ...options.user, claims: {} } } : {},
  } as unknown as Socket;
  const context = {
    getType: () => 'ws',
    switchToWs: () => ({ getClient: () => socket }),
    // Nest calls a ws handler with (socket, data, ack, pattern).
    getArgByIndex: (index: number) =>
      [socket, 'data', options.ack, 'pattern'][index],
  } as unknown as ExecutionContext;
  const metrics = new PropagatorMetrics();
  const interceptor = new RedisPropagatorInterceptor(propagator, metrics);
  const run = (...values: unknown[]) =>
    lastValueFrom(
      interceptor
        .intercept(context, { handle: () => of(...values) } as CallHandler)
        .pipe(toArray()),
    );
  return { published, run, emitted, metrics };
}

describe('RedisPropagatorInterceptor', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('publishes a WsResponse of an authenticated sender, excluding the sender socket', async () => {
    const { published, run } = setup({ user: { userId: '42' } });

    expect(await run({ event: 'events', data: { n: 1 } })).toEqual([
      { event: 'events', data: { n: 1 } },
    ]);
    expect(published).toEqual([
      {
        userId: '42',
        socketId: 'socket-a',
        namespace: '/chat',
        event: 'events',
        data: { n: 1 },
      },
    ]);
  });

  it('publishes each WsResponse of a returned Observable', async () => {
    const { published, run } = setup({ user: { userId: '42' } });
    await run({ event: 'a', data: 1 }, 'ack', { event: 'b', data: 2 });
    expect(published.map((m) => m.event)).toEqual(['a', 'b']);
  });

  it.each([
    ['a plain value', 'pong'],
    ['an object without event', { received: true }],
    ['an empty event', { event: '', data: 1 }],
    ['a non-string event', { event: 7, data: 1 }],
    ['undefined', undefined],
    ['null', null],
  ])('does not publish an acknowledgement: %s', async (_, value) => {
    const { published, run } = setup({ user: { userId: '42' } });
    expect(await run(value)).toEqual([value]);
    expect(published).toEqual([]);
  });

  it('does not publish responses of an anonymous sender', async () => {
    const { published, run } = setup();
    expect(await run({ event: 'events', data: 1 })).toEqual([
      { event: 'events', data: 1 },
    ]);
    expect(published).toEqual([]);
  });

  it('answers through the acknowledgement with the data, sends no event, and still publishes', async () => {
    const acks: unknown[] = [];
    const { published, run } = setup({
      user: { userId: '42' },
      ack: (response) => acks.push(response),
    });

    expect(await run({ event: 'events', data: { n: 1 } })).toEqual([undefined]);
    expect(acks).toEqual([{ n: 1 }]);
    expect(published.map((m) => m.data)).toEqual([{ n: 1 }]);
  });

  it('acknowledges the first response of an Observable once, and sends the rest as events', async () => {
    const acks: unknown[] = [];
    const { published, run } = setup({
      user: { userId: '42' },
      ack: (response) => acks.push(response),
    });

    expect(await run({ event: 'a', data: 1 }, { event: 'b', data: 2 })).toEqual(
      [undefined, { event: 'b', data: 2 }],
    );
    expect(acks).toEqual([1]);
    expect(published.map((m) => m.event)).toEqual(['a', 'b']);
  });

  it('acknowledges an anonymous sender too, without publishing', async () => {
    const acks: unknown[] = [];
    const { published, run } = setup({
      ack: (response) => acks.push(response),
    });

    expect(await run({ event: 'events', data: 'x' })).toEqual([undefined]);
    expect(acks).toEqual(['x']);
    expect(published).toEqual([]);
  });

  it('leaves a plain return value to Nest, which acknowledges it', async () => {
    const acks: unknown[] = [];
    const { published, run } = setup({
      user: { userId: '42' },
      ack: (response) => acks.push(response),
    });

    expect(await run({ received: 1 })).toEqual([{ received: 1 }]);
    expect(acks).toEqual([]);
    expect(published).toEqual([]);
  });

  it.each([
    [new Error('redis is down'), 'propagation_failed', 0],
    [
      new InvalidMessageError('too_large', 'the message is 2000000 bytes'),
      'message_too_large',
      1,
    ],
  ])(
    'still answers the sender when the publish fails (%s), then tells it with an exception',
    async (failure, code, refused) => {
      const { published, run, emitted, metrics } = setup({
        user: { userId: '42' },
        failPublish: failure,
      });
      expect(await run({ event: 'events', data: 1 })).toEqual([
        { event: 'events', data: 1 },
      ]);
      expect(published).toHaveLength(1);
      // Let the rejected publish settle: its handler must swallow it.
      await new Promise((resolve) => setImmediate(resolve));
      expect(emitted).toEqual([
        [
          'exception',
          expect.objectContaining({ status: 'error', code, event: 'pattern' }),
        ],
      ]);
      expect(metrics.eventsRefused.get('message_too_large') ?? 0).toBe(refused);
    },
  );
});
