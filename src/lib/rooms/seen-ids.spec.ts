import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SeenIds } from './seen-ids';

describe('SeenIds', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('says whether an id is new, and forgets it after 30 s', () => {
    jest.useFakeTimers();
    const seen = new SeenIds();
    expect(seen.add('a')).toBe(true);
    expect(seen.add('a')).toBe(false);
    jest.advanceTimersByTime(30_001);
    expect(seen.add('b')).toBe(true);
    expect(seen.add('a')).toBe(true);
  });
});
