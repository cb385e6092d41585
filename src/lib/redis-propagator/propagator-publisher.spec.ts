import { describe, expect, it } from '@jest/globals';
import { InvalidMessageError } from '../contract/invalid-message.error';
import { propagatorChannels } from '../contract/propagator-channels';
import { decodeFrame } from '../contract/propagator-frame';
import type { MessageDelivery } from './message-delivery.interface';
import { PropagatorMetrics } from './propagator-metrics';
import { PropagatorPublisher } from './propagator-publisher';
import { PropagatorPublishError } from './propagator-publish.error';

function setup(
  options: {
    isDown?: boolean;
    maxBytes?: number;
    local?: MessageDelivery;
  } = {},
) {
  const published: [string, unknown][] = [];
  const transport = {
    publish: (channel: string, payload: string | Buffer) => {
      if (options.isDown) {
        return Promise.reject(new Error('Connection is closed.'));
      }
      published.push([channel, decodeFrame(payload as Buffer)]);
      // As PUBLISH answers: how many subscribers got it.
      return Promise.resolve(published.length);
    },
  };
  const metrics = new PropagatorMetrics();
  const publisher = new PropagatorPublisher(
    transport,
    propagatorChannels('app:'),
    {
      maxMessageBytes: options.maxBytes ?? 1_000,
      idempotencyWindowSeconds: 60,
    },
    metrics,
    options.local && { origin: Buffer.from('here'), local: options.local },
  );
  return { publisher, published, metrics };
}

describe('PropagatorPublisher', () => {
  it('publishes each kind of message, normalised, on its prefixed channel, and answers what the transport counted', async () => {
    const { publisher, published, metrics } = setup();

    expect(
      await publisher.sendToUser({ userId: 42, event: 'a', data: 1 }),
    ).toBe(1);
    expect(await publisher.emitToAll({ event: 'b', namespace: 'chat' })).toBe(
      2,
    );
    expect(
      await publisher.emitToAuthenticated({ event: 'c', data: [true] }),
    ).toBe(3);

    expect(published).toEqual([
      [
        'app:REDIS_SOCKET_EVENT_SEND_NAME:42',
        { userId: '42', event: 'a', data: 1, namespace: '/' },
      ],
      [
        'app:REDIS_SOCKET_EVENT_EMIT_ALL_NAME',
        { event: 'b', namespace: '/chat' },
      ],
      [
        'app:REDIS_SOCKET_EVENT_EMIT_AUTHENTICATED_NAME',
        { event: 'c', data: [true], namespace: '/' },
      ],
    ]);
    expect(metrics.snapshot().published).toBe(3);
  });

  it.each([
    [
      'invalid',
      { userId: '', event: 'a' },
      '"userId" must be a non-empty string or an integer',
    ],
    [
      'invalid',
      { userId: '1', event: 'disconnect' },
      '"event" may not be "disconnect", which Socket.IO reserves',
    ],
    [
      'not_json',
      { userId: '1', event: 'a', data: 1n },
      '"data" is not serialisable as JSON: Do not know how to serialize a BigInt',
    ],
    [
      'too_large',
      { userId: '1', event: 'a', data: 'x'.repeat(2_000) },
      'the message has 2063 bytes, over the limit of 1000',
    ],
  ] as const)(
    'refuses a message (%s) with the reason, and publishes nothing',
    async (reason, message, detail) => {
      const { publisher, published, metrics } = setup();

      const refusal = publisher.sendToUser(message);

      await expect(refusal).rejects.toThrow(InvalidMessageError);
      await expect(refusal).rejects.toMatchObject({
        reason,
        message: `Invalid propagator message: ${detail}`,
      });
      await expect(refusal).rejects.toBeInstanceOf(TypeError);
      expect(published).toEqual([]);
      expect(metrics.snapshot().publishRefused[reason]).toBe(1);
    },
  );

  it('rejects with a PropagatorPublishError that keeps the cause when the transport refuses', async () => {
    const { publisher, metrics } = setup({ isDown: true });

    const failure = publisher.emitToAll({ event: 'a' });

    await expect(failure).rejects.toBeInstanceOf(PropagatorPublishError);
    await expect(failure).rejects.toMatchObject({
      channel: 'app:REDIS_SOCKET_EVENT_EMIT_ALL_NAME',
      message:
        'Could not publish on app:REDIS_SOCKET_EVENT_EMIT_ALL_NAME: Connection is closed.',
      cause: new Error('Connection is closed.'),
    });
    expect(metrics.snapshot()).toMatchObject({
      published: 0,
      publishFailed: 1,
    });
  });
});

describe('PropagatorPublisher with message ids', () => {
  it('publishes an id once within the window, and anything without an id every time', async () => {
    const claimed = new Map<string, number>();
    const published: string[] = [];
    const publisher = new PropagatorPublisher(
      {
        publish: (channel) => {
          published.push(channel);
          return Promise.resolve(1);
        },
        claim: (key, ttlSeconds) => {
          const isNew = !claimed.has(key);
          claimed.set(key, ttlSeconds);
          return Promise.resolve(isNew);
        },
      },
      propagatorChannels('app:'),
      { maxMessageBytes: 1_000, idempotencyWindowSeconds: 60 },
    );

    expect(await publisher.emitToAll({ event: 'a', id: 'x' })).toBe(1);
    expect(await publisher.emitToAll({ event: 'a', id: 'x' })).toBe(0);
    expect(await publisher.sendToUser({ userId: 1, event: 'a', id: 'y' })).toBe(
      1,
    );
    expect(await publisher.emitToAll({ event: 'a' })).toBe(1);
    expect(await publisher.emitToAll({ event: 'a' })).toBe(1);

    expect(published).toHaveLength(4);
    expect([...claimed]).toEqual([
      ['app:REDIS_SOCKET_EVENT_ID:x', 60],
      ['app:REDIS_SOCKET_EVENT_ID:y', 60],
    ]);
    await expect(publisher.emitToAll({ event: 'a', id: '' })).rejects.toThrow(
      '"id" must be a non-empty string of at most 200 characters',
    );
  });
});

describe('PropagatorPublisher inside an instance', () => {
  it("delivers to the instance's own sockets first, even when the transport is down", async () => {
    const delivered: string[] = [];
    const local: MessageDelivery = {
      toUser: ({ userId, event }) => delivered.push(`${userId} ${event}`),
      toAll: ({ event }) => delivered.push(`all ${event}`),
      toAuthenticated: ({ event }) => delivered.push(`auth ${event}`),
      toRoom: (room, { event }) => delivered.push(`${room} ${event}`),
    };
    const { publisher } = setup({ isDown: true, local });

    await expect(
      publisher.sendToUser({ userId: 42, event: 'a' }),
    ).rejects.toBeInstanceOf(PropagatorPublishError);
    await expect(publisher.emitToAll({ event: 'b' })).rejects.toThrow();
    await expect(
      publisher.sendToUser({ userId: '', event: 'refused' }),
    ).rejects.toBeInstanceOf(InvalidMessageError);

    expect(delivered).toEqual(['42 a', 'all b']);
  });
});

describe('PropagatorMetrics', () => {
  it('hands out frozen snapshots that later counts do not change', () => {
    const metrics = new PropagatorMetrics();
    const before = metrics.snapshot();
    metrics.countDropped('user', 'not_json');

    expect(Object.isFrozen(before)).toBe(true);
    expect(Object.isFrozen(before.dropped)).toBe(true);
    expect(before.dropped.not_json).toBe(0);
    expect(metrics.snapshot().dropped.not_json).toBe(1);
  });
});
