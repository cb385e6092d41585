import { describe, expect, it } from '@jest/globals';
import { checkOperation } from './adapter-operation';

const target = { nsp: '/', rooms: ['a'], except: [] };

describe('checkOperation', () => {
  it('takes each well-formed operation', () => {
    const operations = [
      { op: 'emit', ...target, type: 2, data: ['e', 1] },
      {
        op: 'ack-emit',
        ...target,
        type: 2,
        data: ['e'],
        rid: 'x:1',
        from: 'x',
      },
      { op: 'join', ...target, targets: ['b'] },
      { op: 'disconnect', ...target, close: true },
      { op: 'fetch', ...target, rid: 'x:2', from: 'x' },
      { op: 'server-emit', nsp: '/', data: ['ping'] },
      { op: 'answer', rid: 'x:1', count: 3 },
      { op: 'ack', rid: 'x:1', data: ['yes'] },
      { op: 'hello', uid: 'x' },
    ];
    for (const operation of operations) {
      expect(checkOperation(operation)).toBe(operation);
    }
  });

  it.each([
    [null, 'an operation is not an object'],
    [{ op: 7 }, '"op" is not a string'],
    [{ op: 'explode' }, '"op" is "explode", which no adapter does'],
    [
      { op: 'emit', nsp: '/', rooms: 'a', except: [] },
      '"rooms" is not a list of strings',
    ],
    [{ op: 'emit', ...target, type: 2 }, '"data" is not a list'],
    [
      { op: 'join', ...target, targets: [1] },
      '"targets" is not a list of strings',
    ],
    [{ op: 'fetch', ...target, rid: 'x:1' }, '"from" is not a string'],
    [{ op: 'answer', count: 1 }, '"rid" is not a string'],
    [{ op: 'alive' }, '"uid" is not a string'],
  ])('refuses %j: %s', (value, message) => {
    expect(() => checkOperation(value)).toThrow(new TypeError(message));
  });
});
