import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import { waitUntil } from './deadline';

type Close = () => unknown;

/**
 * Closes what a test or a suite opened, last opened first, and checks at the
 * end of the suite that no handle (socket, server, timer, child process) is
 * left open: the active resources must be back to what they were before the
 * suite started.
 */
export function useResources() {
  const suite: Close[] = [];
  const test: Close[] = [];
  let baseline: string[] = [];

  beforeAll(() => {
    baseline = process.getActiveResourcesInfo();
  });
  afterEach(() => closeAll(test));
  afterAll(async () => {
    await closeAll(test);
    await closeAll(suite);
    await expectNoOpenHandles(baseline);
  });

  return {
    /** Closes the resource after the current test. */
    forTest<T>(resource: T, close: (resource: T) => unknown): T {
      test.push(() => close(resource));
      return resource;
    },
    /** Closes the resource after the last test of the suite. */
    forSuite<T>(resource: T, close: (resource: T) => unknown): T {
      suite.push(() => close(resource));
      return resource;
    },
  };
}

async function closeAll(stack: Close[]): Promise<void> {
  while (stack.length > 0) {
    await stack.pop()?.();
  }
}

async function expectNoOpenHandles(baseline: string[]): Promise<void> {
  const leftover = () => {
    const remaining = [...process.getActiveResourcesInfo()];
    for (const type of baseline) {
      const index = remaining.indexOf(type);
      if (index >= 0) remaining.splice(index, 1);
    }
    // The timer of this very hook is not the suite's.
    const hookTimer = remaining.indexOf('Timeout');
    if (hookTimer >= 0) remaining.splice(hookTimer, 1);
    return remaining;
  };
  // Closed sockets release their handles a few ticks after close().
  await waitUntil(
    () => leftover().length === 0,
    'open handles to close',
    3_000,
  ).catch(() => undefined);
  expect(leftover()).toEqual([]);
}
