import { afterAll, afterEach, expect } from '@jest/globals';

// An unhandled rejection anywhere (app code included) fails the suite: Jest
// would otherwise only print it, or lose it.
const unhandled: unknown[] = [];
const record = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', record);

afterEach(() => {
  expect(unhandled).toEqual([]);
});

afterAll(() => {
  process.off('unhandledRejection', record);
  expect(unhandled).toEqual([]);
});
