import type { AnswerOperation } from './adapter-operation';

/** What a request does with what comes back. */
export interface RequestHandlers {
  /** One instance's answer; undefined for this instance's own receipt. */
  readonly onAnswer: (answer: AnswerOperation | undefined) => void;
  /** A socket's acknowledgement, for `ack-emit`. */
  readonly onAck?: (data: unknown[]) => void;
  /** Every expected answer is in. */
  readonly onComplete: () => void;
  /** The time ran out first: `answered` of `expected` answers came. */
  readonly onTimeout: (answered: number, expected: number | undefined) => void;
}

interface Pending {
  readonly handlers: RequestHandlers;
  readonly timer: NodeJS.Timeout;
  expected?: number;
  answered: number;
  complete: boolean;
}

/**
 * The requests of this instance that wait for answers. Answers can come
 * before PUBLISH's reply says how many to expect; either order completes.
 * A request stays open until its owner finishes it or its time runs out,
 * so late acknowledgements still find it.
 */
export class PendingRequests {
  private readonly pending = new Map<string, Pending>();
  private sequence = 0;

  constructor(private readonly uid: string) {}

  /** Opens a request; returns its id. */
  open(timeoutMs: number, handlers: RequestHandlers): string {
    this.sequence += 1;
    const rid = `${this.uid}:${this.sequence}`;
    const timer = setTimeout(() => {
      const entry = this.pending.get(rid);
      this.pending.delete(rid);
      if (entry && !entry.complete) {
        handlers.onTimeout(entry.answered, entry.expected);
      }
    }, timeoutMs);
    timer.unref();
    this.pending.set(rid, { handlers, timer, answered: 0, complete: false });
    return rid;
  }

  /** Sets how many answers the request waits for (PUBLISH's replies). */
  expect(rid: string, expected: number): void {
    const entry = this.pending.get(rid);
    if (entry) {
      entry.expected = expected;
      this.checkComplete(entry);
    }
  }

  /** Takes an answer, or this instance's own receipt (`answer` undefined). */
  answer(rid: string, answer: AnswerOperation | undefined): void {
    const entry = this.pending.get(rid);
    if (!entry || entry.complete) {
      return;
    }
    entry.answered += 1;
    entry.handlers.onAnswer(answer);
    this.checkComplete(entry);
  }

  ack(rid: string, data: unknown[]): void {
    this.pending.get(rid)?.handlers.onAck?.(data);
  }

  has(rid: string): boolean {
    return this.pending.has(rid);
  }

  /** Closes a request; nothing more reaches its handlers. */
  finish(rid: string): void {
    const entry = this.pending.get(rid);
    if (entry) {
      clearTimeout(entry.timer);
      this.pending.delete(rid);
    }
  }

  get size(): number {
    return this.pending.size;
  }

  /** Times out every open request at once (the instance stops). */
  close(): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      clearTimeout(entry.timer);
      if (!entry.complete) {
        entry.handlers.onTimeout(entry.answered, entry.expected);
      }
    }
  }

  private checkComplete(entry: Pending): void {
    if (
      !entry.complete &&
      entry.expected !== undefined &&
      entry.answered >= entry.expected
    ) {
      entry.complete = true;
      entry.handlers.onComplete();
    }
  }
}
