import { describe, expect, it } from '@jest/globals';
import {
  parseBroadcastMessage,
  parseSendToUserMessage,
} from './propagator-message.parser';

const LIMIT = 1_000;
const send = (value: unknown) =>
  parseSendToUserMessage(Buffer.from(JSON.stringify(value)), LIMIT);
const broadcast = (value: unknown) =>
  parseBroadcastMessage(Buffer.from(JSON.stringify(value)), LIMIT);

describe('parseSendToUserMessage', () => {
  it('reads a full message and keeps data as is', () => {
    expect(
      send({
        userId: '42',
        event: 'notification',
        data: { a: [1, null] },
        socketId: 'abc',
        namespace: '/chat',
        unknownField: true,
      }),
    ).toEqual({
      ok: true,
      message: {
        userId: '42',
        event: 'notification',
        data: { a: [1, null] },
        socketId: 'abc',
        namespace: '/chat',
      },
    });
  });

  it('defaults the namespace to / and adds a missing leading slash', () => {
    expect(send({ userId: '1', event: 'e' })).toMatchObject({
      message: { namespace: '/' },
    });
    expect(send({ userId: '1', event: 'e', namespace: 'chat' })).toMatchObject({
      message: { namespace: '/chat' },
    });
  });

  it('reads an integer userId as its decimal string', () => {
    expect(send({ userId: 42, event: 'e' })).toMatchObject({
      ok: true,
      message: { userId: '42' },
    });
  });

  it.each([
    [{ event: 'e' }, '"userId" must be a non-empty string or an integer'],
    [{ userId: '', event: 'e' }, '"userId" must be'],
    [{ userId: 1.5, event: 'e' }, '"userId" must be'],
    [{ userId: 2 ** 60, event: 'e' }, '"userId" must be'],
    [{ userId: ['1'], event: 'e' }, '"userId" must be'],
    [{ userId: '1' }, '"event" must be a non-empty string'],
    [{ userId: '1', event: 5 }, '"event" must be a non-empty string'],
    [{ userId: '1', event: 'x'.repeat(129) }, 'longer than 128 characters'],
    [{ userId: '1', event: 'connect' }, 'which Socket.IO reserves'],
    [{ userId: '1', event: 'disconnecting' }, 'which Socket.IO reserves'],
    [{ userId: '1', event: 'newListener' }, 'which Socket.IO reserves'],
    [{ userId: '1', event: 'e', socketId: 3 }, '"socketId" must be a string'],
    [{ userId: '1', event: 'e', namespace: '' }, '"namespace" must be'],
  ])('refuses %j', (value, error) => {
    const result = send(value);
    expect(result.ok).toBe(false);
    expect(result).toMatchObject({ reason: 'invalid' });
    expect(!result.ok && result.error).toContain(error);
  });

  it('accepts an event name of exactly 128 characters', () => {
    expect(send({ userId: '1', event: 'x'.repeat(128) }).ok).toBe(true);
  });

  it.each(['', 'nope', '{"userId":', '\u00ff\u00fe'])(
    'reports %j as not JSON',
    (raw) => {
      expect(parseSendToUserMessage(Buffer.from(raw), LIMIT)).toMatchObject({
        ok: false,
        reason: 'not_json',
      });
    },
  );

  it.each(['null', '[]', '"text"', '42', 'true'])(
    'reports JSON %s that is not an object as invalid',
    (raw) => {
      expect(parseSendToUserMessage(Buffer.from(raw), LIMIT)).toMatchObject({
        ok: false,
        reason: 'invalid',
        error: 'the message is not a JSON object',
      });
    },
  );

  it('checks the size in bytes before decoding anything', () => {
    const multiByte = JSON.stringify({
      userId: '1',
      event: 'e',
      data: 'é'.repeat(600),
    });
    expect(multiByte.length).toBeLessThan(LIMIT);
    expect(parseSendToUserMessage(Buffer.from(multiByte), LIMIT)).toEqual({
      ok: false,
      reason: 'too_large',
      error: `the message has ${Buffer.byteLength(multiByte)} bytes, over the limit of ${LIMIT}`,
    });
  });
});

describe('parseBroadcastMessage', () => {
  it('needs no userId and ignores one', () => {
    expect(broadcast({ event: 'e', data: 1, userId: '1' })).toEqual({
      ok: true,
      message: { event: 'e', data: 1, namespace: '/' },
    });
  });

  it('refuses a message without an event', () => {
    expect(broadcast({ data: 1 })).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });
});
