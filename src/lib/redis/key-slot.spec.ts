import { describe, expect, it } from '@jest/globals';
import { keySlot } from './key-slot';

describe('keySlot', () => {
  it.each([
    ['foo', 12182],
    ['bar', 5061],
    ['123456789', 12739],
    ['{bar}.following', 5061],
  ])('slots %j as CLUSTER KEYSLOT does', (key, slot) => {
    expect(keySlot(key)).toBe(slot);
  });

  it('stays within the 16384 slots', () => {
    for (let n = 0; n < 1000; n += 1) {
      expect(keySlot(`REDIS_SOCKET_EVENT_SEND_NAME:${n}`)).toBeLessThan(16384);
    }
  });
});
