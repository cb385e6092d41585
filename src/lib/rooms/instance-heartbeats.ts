import type { InstanceOperation } from './adapter-operation';

// An instance is taken for gone once this many beats were missed.
const MISSED_BEATS = 2.5;

/**
 * Knows which other instances are alive from their heartbeats, for
 * `serverCount()`. NUMSUB cannot say: on a cluster it counts one node's
 * subscribers only. An instance says hello when it starts (the others answer
 * at once, so it learns of them in one round trip), beats every interval,
 * and says goodbye when it stops; one that dies is forgotten after 2.5
 * missed beats.
 */
export class InstanceHeartbeats {
  private readonly lastSeen = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly uid: string,
    private readonly intervalMs: number,
    private readonly send: (op: InstanceOperation['op']) => Promise<void>,
  ) {}

  start(): void {
    void this.send('hello');
    this.timer = setInterval(() => {
      // Forgetting happens here only, so the count stays the same within a
      // tick: broadcastWithAck and serverCount() read it one after the other.
      this.forgetSilent();
      void this.send('alive');
    }, this.intervalMs);
    this.timer.unref();
  }

  receive({ op, uid }: InstanceOperation): void {
    if (uid === this.uid) {
      return;
    }
    if (op === 'gone') {
      this.lastSeen.delete(uid);
      return;
    }
    this.lastSeen.set(uid, Date.now());
    if (op === 'hello') {
      void this.send('alive');
    }
  }

  /** The instances alive, this one included. */
  get count(): number {
    return this.lastSeen.size + 1;
  }

  /** Stops beating; resolves once the goodbye is sent. */
  async stop(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      await this.send('gone');
    }
  }

  private forgetSilent(): void {
    const oldest = Date.now() - MISSED_BEATS * this.intervalMs;
    for (const [uid, seen] of this.lastSeen) {
      if (seen < oldest) {
        this.lastSeen.delete(uid);
      }
    }
  }
}
