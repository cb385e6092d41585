import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { propagatorChannels } from '../contract/propagator-channels';
import { RateLimitedLogger } from '../shared/rate-limited-logger';
import { encodeMessage } from '../contract/propagator-message.parser';
import type { MessageDelivery } from './message-delivery.interface';
import { PropagatorConsumer } from './propagator-consumer';
import { PropagatorMetrics } from './propagator-metrics';

const channels = propagatorChannels();
const raw = (value: unknown) => Buffer.from(JSON.stringify(value));
const ORIGIN = Buffer.from('this-one');

function setup(delivery: Partial<MessageDelivery> = {}, maxBytes = 100) {
  const delivered: [string, unknown][] = [];
  const record =
    (kind: string) =>
    (message: unknown): number => {
      delivered.push([kind, message]);
      return 1;
    };
  const metrics = new PropagatorMetrics();
  const consumer = new PropagatorConsumer(
    channels,
    {
      toUser: record('user'),
      toAll: record('all'),
      toAuthenticated: record('authenticated'),
      toRoom: (room, message) => record(`room ${room}`)(message),
      ...delivery,
    },
    maxBytes,
    metrics,
    new RateLimitedLogger(new Logger('test')),
    ORIGIN,
  );
  return { consumer, delivered, metrics };
}

describe('PropagatorConsumer', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('reads exactly the three contract channels', () => {
    expect(setup().consumer.channels).toEqual([
      channels.send,
      channels.emitAll,
      channels.emitAuthenticated,
    ]);
  });

  it('decodes each message once and hands it to the delivery of its channel', () => {
    const { consumer, delivered, metrics } = setup();

    consumer.consume(channels.send, raw({ userId: 7, event: 'a', data: 1 }));
    consumer.consume(channels.emitAll, raw({ event: 'b' }));
    consumer.consume(
      channels.emitAuthenticated,
      raw({ event: 'c', namespace: 'x' }),
    );
    consumer.consume('some-other-channel', raw({ event: 'd' }));

    expect(delivered).toEqual([
      [
        'user',
        {
          userId: '7',
          socketId: undefined,
          event: 'a',
          data: 1,
          namespace: '/',
        },
      ],
      ['all', { event: 'b', data: undefined, namespace: '/' }],
      ['authenticated', { event: 'c', data: undefined, namespace: '/x' }],
    ]);
    expect(metrics.snapshot().received).toBe(3);
    expect(metrics.consumed).toEqual({
      user: 0,
      room: 0,
      namespace: 0,
      send: 1,
      all: 1,
      authenticated: 1,
    });
    expect(metrics.delivered).toEqual(metrics.consumed);
  });

  it("takes the user of a user's own channel from its name, and drops a message that names another user", () => {
    const { consumer, delivered, metrics } = setup();

    consumer.consume(channels.user('42'), raw({ event: 'a', socketId: 's' }));
    consumer.consume(channels.user('42'), raw({ userId: 42, event: 'b' }));
    consumer.consume(channels.user('42'), raw({ userId: '43', event: 'c' }));
    consumer.consume(channels.user(''), raw({ event: 'd' }));

    expect(delivered).toEqual([
      [
        'user',
        {
          userId: '42',
          socketId: 's',
          event: 'a',
          data: undefined,
          namespace: '/',
        },
      ],
      [
        'user',
        {
          userId: '42',
          socketId: undefined,
          event: 'b',
          data: undefined,
          namespace: '/',
        },
      ],
    ]);
    expect(metrics.snapshot().dropped.invalid).toBe(2);
    expect(metrics.dropped.user.invalid).toBe(2);
    expect(metrics.consumed.user).toBe(4);
  });

  it("takes the room of a room's own channel from its name, and drops what breaks the contract", () => {
    const { consumer, delivered, metrics } = setup();

    consumer.consume(channels.room('chat:lobby'), raw({ event: 'a', data: 1 }));
    consumer.consume(channels.room('chat:lobby'), raw({ data: 'no event' }));
    consumer.consume(channels.room('chat:lobby'), Buffer.from('{not json'));
    consumer.consume(channels.room('chat:lobby'), raw({ event: 'b' }));

    expect(delivered).toEqual([
      [
        'room chat:lobby',
        { event: 'a', data: 1, namespace: '/', id: undefined },
      ],
      [
        'room chat:lobby',
        { event: 'b', data: undefined, namespace: '/', id: undefined },
      ],
    ]);
    expect(metrics.dropped.room).toEqual({
      too_large: 0,
      not_json: 1,
      invalid: 1,
    });
    expect(metrics.consumed.room).toBe(4);
  });

  it('skips the frames this instance published, undecoded, and takes those of others', () => {
    const { consumer, delivered, metrics } = setup();
    const message = { event: 'a', data: 1, namespace: '/' };

    consumer.consume(channels.emitAll, encodeMessage(message, 100, ORIGIN));
    consumer.consume(
      channels.emitAll,
      encodeMessage(message, 100, Buffer.from('another')),
    );

    expect(delivered).toEqual([['all', message]]);
    expect(metrics.snapshot().received).toBe(1);
  });

  it('drops and counts bad messages by reason, and delivers the next one', () => {
    const { consumer, delivered, metrics } = setup();

    consumer.consume(channels.send, Buffer.from('{not json'));
    consumer.consume(channels.send, raw({ userId: '1' }));
    consumer.consume(
      channels.send,
      raw({ userId: '1', event: 'a', data: 'x'.repeat(200) }),
    );
    consumer.consume(channels.send, raw({ userId: '1', event: 'ok' }));

    expect(metrics.snapshot().dropped).toEqual({
      not_json: 1,
      invalid: 1,
      too_large: 1,
    });
    expect(
      delivered.map(([, message]) => (message as { event: string }).event),
    ).toEqual(['ok']);
  });

  it('counts a delivery that throws, and never throws itself', () => {
    const { consumer, delivered, metrics } = setup({
      toAll: () => {
        throw new Error('a socket is broken');
      },
    });

    expect(() =>
      consumer.consume(channels.emitAll, raw({ event: 'a' })),
    ).not.toThrow();
    consumer.consume(channels.send, raw({ userId: '1', event: 'b' }));

    expect(metrics.snapshot().deliveryFailed).toBe(1);
    expect(delivered).toHaveLength(1);
  });

  it('drops data too deep to encode as invalid, rather than as a failed delivery', () => {
    const { consumer, metrics } = setup(
      {
        toAll: ({ data }) => {
          JSON.stringify(data);
          return 1;
        },
      },
      1_000_000,
    );
    const depth = 100_000;
    const deep = `{"event":"a","data":${'['.repeat(depth)}${']'.repeat(depth)}}`;

    consumer.consume(channels.emitAll, Buffer.from(deep));
    consumer.consume(channels.emitAll, raw({ event: 'b' }));

    expect(metrics.dropped.all.invalid).toBe(1);
    expect(metrics.snapshot().deliveryFailed).toBe(0);
    expect(metrics.delivered.all).toBe(1);
  });
});
