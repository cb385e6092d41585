import {
  waitUntil as waitUntilDeadline,
  withDeadline as withDeadlineOf,
} from '../../src/cluster/wait';

/** Default deadline for anything a test waits for. */
export const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * Resolves with the promise, or rejects with a message saying what was
 * awaited once the deadline has passed.
 */
export function withDeadline<T>(
  promise: Promise<T>,
  what: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<T> {
  return withDeadlineOf(promise, what, timeoutMs);
}

/** Polls a condition every 20 ms until it holds or the deadline passes. */
export function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<void> {
  return waitUntilDeadline(condition, what, timeoutMs);
}
