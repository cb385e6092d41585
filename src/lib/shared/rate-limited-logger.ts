import { Logger } from '@nestjs/common';

/**
 * A logger for messages that outside input can trigger at will (malformed
 * Redis messages, reconnect errors): at most `limit` lines per key in each
 * window, then one line that says how many were suppressed.
 *
 * It keeps no timer, so it never holds the process open: the summary of a
 * window is written when the next message of that key arrives.
 */
export class RateLimitedLogger {
  private readonly windows = new Map<
    string,
    { startedAt: number; logged: number; suppressed: number }
  >();

  constructor(
    private readonly logger: Logger,
    private readonly limit = 5,
    private readonly windowMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(key: string, message: string): void {
    this.write(key, message, (line) => this.logger.warn(line));
  }

  error(key: string, message: string): void {
    this.write(key, message, (line) => this.logger.error(line));
  }

  private write(key: string, message: string, log: (line: string) => void) {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      if (window && window.suppressed > 0) {
        log(`${window.suppressed} more "${key}" messages were suppressed`);
      }
      window = { startedAt: now, logged: 0, suppressed: 0 };
      this.windows.set(key, window);
    }
    if (window.logged < this.limit) {
      window.logged += 1;
      log(message);
    } else {
      window.suppressed += 1;
    }
  }
}
