import { type ChildProcess, spawn } from 'node:child_process';
import { waitUntil } from './wait';

/** Receives each line a process writes, with the process's name. */
export type LineSink = (name: string, line: string) => void;

/** How a process ended. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  error?: Error;
}

/** What to run. */
export interface ProcessSpec {
  /** A short name for logs and errors, like `app-1`. */
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Receives each line of stdout and stderr. */
  onLine?: LineSink;
}

/** How much of a process's output is kept for error messages. */
const KEPT_OUTPUT_CHARS = 16_384;
/** How long stop() waits after SIGTERM before SIGKILL. */
const DEFAULT_GRACE_MS = 5_000;

/** The processes started and not yet exited, for stopChildrenOnExit. */
const running = new Set<ManagedProcess>();
let stopsChildrenOnExit = false;

/**
 * Makes this process take its children with it however it ends: a normal
 * exit, an uncaught error (an EPIPE on a closed stdout, say), or SIGTERM,
 * SIGHUP or SIGINT sent to it alone. They get SIGTERM. For the commands that
 * start processes (bench, soak), not for a library's caller.
 */
export function stopChildrenOnExit(): void {
  if (stopsChildrenOnExit) {
    return;
  }
  stopsChildrenOnExit = true;
  process.once('exit', () => {
    for (const child of running) {
      child.kill('SIGTERM');
    }
  });
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const) {
    process.once(signal, () => process.exit(code));
  }
}

/**
 * A child process whose output is kept (its tail) and can be followed line
 * by line, and which can be stopped: SIGTERM, then SIGKILL after a grace
 * period.
 */
export class ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Settles once the process has exited and its output pipes have closed. */
  readonly exited: Promise<ExitStatus>;
  private recent = '';
  private status?: ExitStatus;

  constructor(spec: ProcessSpec) {
    this.name = spec.name;
    this.child = spawn(spec.command, spec.args, {
      env: spec.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(this);
    this.exited = new Promise<ExitStatus>((resolve) => {
      this.child.once('error', (error) => {
        this.status = { code: null, signal: null, error };
        resolve(this.status);
      });
      this.child.once('close', (code, signal) => {
        this.status ??= { code, signal };
        resolve(this.status);
      });
    });
    void this.exited.then(() => running.delete(this));
    for (const stream of [this.child.stdout, this.child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        this.keep(chunk);
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) spec.onLine?.(this.name, line);
      });
      stream?.on('end', () => {
        if (partial) spec.onLine?.(this.name, partial);
      });
    }
  }

  /** The process id, while it runs. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process has exited (or failed to start). */
  get isRunning(): boolean {
    return (
      this.status === undefined &&
      this.child.exitCode === null &&
      this.child.signalCode === null
    );
  }

  /** The last 16 KiB of what the process wrote. */
  output(): string {
    return this.recent;
  }

  /** Sends a signal, if the process still runs. */
  kill(signal: NodeJS.Signals): void {
    if (this.isRunning) {
      this.child.kill(signal);
    }
  }

  /** Stops the process: SIGTERM, then SIGKILL if it outlives the grace period. */
  async stop(graceMs = DEFAULT_GRACE_MS): Promise<ExitStatus> {
    this.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const escalate = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.kill('SIGKILL');
        resolve();
      }, graceMs);
    });
    try {
      await Promise.race([this.exited, escalate]);
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Waits until the condition holds, failing at once, with the process's
   * output, if the process exits first.
   */
  async waitUntilReady(
    condition: () => boolean | Promise<boolean>,
    what: string,
    timeoutMs: number,
  ): Promise<void> {
    await waitUntil(
      async () => {
        if (!this.isRunning) {
          // After 'close', so the error has the whole output and exit status.
          await this.exited;
          throw this.exitError(what);
        }
        return condition();
      },
      `${this.name}: ${what}`,
      timeoutMs,
      50,
    );
  }

  /** Waits for a text in the process's output. */
  waitForOutput(text: string, timeoutMs: number): Promise<void> {
    return this.waitUntilReady(
      () => this.recent.includes(text),
      `"${text}" in its output`,
      timeoutMs,
    );
  }

  /** Describes how the process ended, for errors and logs. */
  describeExit(): string {
    return describeExit(this.status);
  }

  private exitError(what: string): Error {
    const tail = this.recent.trim();
    return new Error(
      `${this.name} ${this.describeExit()} before ${what}` +
        (tail ? `; its output:\n${tail}` : ' (it printed nothing)'),
    );
  }

  private keep(chunk: string): void {
    this.recent = (this.recent + chunk).slice(-KEPT_OUTPUT_CHARS);
  }
}

/** `exited with code 1`, `was killed by SIGKILL` or `could not start: ...`. */
export function describeExit(status: ExitStatus | undefined): string {
  if (status === undefined) {
    return 'is still running';
  }
  if (status.error) {
    return `could not start: ${status.error.message}`;
  }
  if (status.signal) {
    return `was killed by ${status.signal}`;
  }
  return `exited with code ${status.code}`;
}
