import { describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import schema from './propagator-message.schema.json';
import { toBroadcast, toSendToUser } from './propagator-message.parser';

type Kind = 'sendToUser' | 'userChannel' | 'broadcast';

const ajv = new Ajv2020({ strict: false });
ajv.addSchema(schema);
const validatorOf = (kind: Kind) =>
  ajv.getSchema(`${schema.$id}#/$defs/${kind}`)!;

/** The consumer's verdict, for a message of that kind (user channel: user 42). */
function consumerAccepts(kind: Kind, payload: unknown): boolean {
  switch (kind) {
    case 'sendToUser':
      return toSendToUser(payload).ok;
    case 'userChannel':
      return toSendToUser(payload, '42').ok;
    case 'broadcast':
      return toBroadcast(payload).ok;
  }
}

const emoji = '\u{1F600}';

// [kind, payload, whether the contract accepts it]
const PAYLOADS: [Kind, unknown, boolean][] = [
  ['broadcast', { event: 'a' }, true],
  ['broadcast', { event: 'a', data: { deep: [1, null] } }, true],
  ['broadcast', { event: 'a', data: null, namespace: '/chat' }, true],
  ['broadcast', { event: 'a', namespace: 'chat' }, true],
  ['broadcast', { event: 'a', id: 'order-7' }, true],
  ['broadcast', { event: 'a', unknown: 'ignored' }, true],
  ['broadcast', { event: 'x'.repeat(128) }, true],
  ['broadcast', { event: emoji.repeat(128) }, true],
  ['broadcast', { event: 'a', id: 'i'.repeat(200) }, true],
  ['broadcast', {}, false],
  ['broadcast', { event: '' }, false],
  ['broadcast', { event: 'x'.repeat(129) }, false],
  ['broadcast', { event: emoji.repeat(129) }, false],
  ['broadcast', { event: 7 }, false],
  ['broadcast', { event: null }, false],
  ['broadcast', { event: 'disconnect' }, false],
  ['broadcast', { event: 'connect_error' }, false],
  ['broadcast', { event: 'newListener' }, false],
  ['broadcast', { event: 'a', namespace: '' }, false],
  ['broadcast', { event: 'a', namespace: 3 }, false],
  ['broadcast', { event: 'a', id: '' }, false],
  ['broadcast', { event: 'a', id: 'i'.repeat(201) }, false],
  ['broadcast', { event: 'a', id: 5 }, false],
  ['broadcast', null, false],
  ['broadcast', [], false],
  ['broadcast', 'event', false],
  ['broadcast', 42, false],
  ['sendToUser', { userId: '42', event: 'a' }, true],
  ['sendToUser', { userId: 42, event: 'a' }, true],
  ['sendToUser', { userId: -1, event: 'a' }, true],
  ['sendToUser', { userId: '42', event: 'a', socketId: 's1' }, true],
  ['sendToUser', { event: 'a' }, false],
  ['sendToUser', { userId: '', event: 'a' }, false],
  ['sendToUser', { userId: 4.5, event: 'a' }, false],
  ['sendToUser', { userId: 2 ** 53, event: 'a' }, false],
  ['sendToUser', { userId: null, event: 'a' }, false],
  ['sendToUser', { userId: true, event: 'a' }, false],
  ['sendToUser', { userId: {}, event: 'a' }, false],
  ['sendToUser', { userId: '42', event: 'a', socketId: 1 }, false],
  ['sendToUser', { userId: '42' }, false],
  ['userChannel', { event: 'a' }, true],
  ['userChannel', { event: 'a', userId: '42' }, true],
  ['userChannel', { event: 'a', userId: 42 }, true],
  ['userChannel', { event: 'a', userId: null }, false],
  ['userChannel', { event: 'a', socketId: [] }, false],
];

describe('the contract JSON Schema', () => {
  it(`has at least 30 payloads to agree on (${PAYLOADS.length})`, () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(PAYLOADS)(
    'and the consumer agree on %s %j: accepted %s',
    (kind, payload, isValid) => {
      expect(validatorOf(kind)(payload)).toBe(isValid);
      expect(consumerAccepts(kind, payload)).toBe(isValid);
    },
  );
});
