import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import { RateLimitedLogger } from './rate-limited-logger';

describe('RateLimitedLogger', () => {
  it('writes at most the limit per window per key, then says how many it held back', () => {
    const lines: string[] = [];
    const logger = {
      warn: (line: string) => void lines.push(line),
    } as unknown as Logger;
    let now = 0;
    const limited = new RateLimitedLogger(logger, 2, 1_000, () => now);

    for (let i = 0; i < 5; i += 1) limited.warn('bad', `bad ${i}`);
    limited.warn('other', 'other 0');
    now = 1_000;
    limited.warn('bad', 'bad 5');

    expect(lines).toEqual([
      'bad 0',
      'bad 1',
      'other 0',
      '3 more "bad" messages were suppressed',
      'bad 5',
    ]);
  });
});
