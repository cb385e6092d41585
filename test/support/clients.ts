import { io, type Socket } from 'socket.io-client';
import { DEFAULT_TIMEOUT_MS, withDeadline } from './deadline';
import { signToken } from './tokens';

export type ClientSocket = Socket;

export interface ConnectOptions {
  /** Signs a token for this user; omit for an anonymous socket. */
  userId?: string;
  /** A token to send as is (overrides userId). */
  token?: string;
  /** @default '/' */
  namespace?: string;
  transports?: ('websocket' | 'polling')[];
  /** Where the token goes. @default 'auth' */
  tokenIn?: 'auth' | 'query' | 'header';
}

/** What a refused connection reports. */
export interface ConnectError {
  message: string;
  data?: { code?: string };
}

/**
 * A socket.io-client socket that records every event it receives, so that a
 * test can wait for an event or check what did not arrive.
 */
export class TestClient {
  private readonly received = new Map<string, unknown[]>();
  private readonly waiters = new Set<() => void>();

  constructor(readonly socket: ClientSocket) {
    socket.onAny((event: string, ...args: unknown[]) => {
      const list = this.received.get(event) ?? [];
      list.push(args[0]);
      this.received.set(event, list);
      for (const wake of this.waiters) wake();
    });
  }

  /** Every payload received so far for that event. */
  events(event: string): unknown[] {
    return [...(this.received.get(event) ?? [])];
  }

  /** Waits until `count` events of that name have arrived; returns their payloads. */
  async waitFor(
    event: string,
    count = 1,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<unknown[]> {
    let wake = () => undefined as void;
    const arrived = new Promise<void>((resolve) => {
      wake = () => {
        if (this.events(event).length >= count) resolve();
      };
      this.waiters.add(wake);
      wake();
    });
    try {
      await withDeadline(
        arrived,
        `${count} "${event}" event(s) on socket ${this.socket.id}`,
        timeoutMs,
      );
    } finally {
      this.waiters.delete(wake);
    }
    return this.events(event);
  }

  /** Waits for a payload of that event that satisfies the predicate. */
  async waitForMatch(
    event: string,
    matches: (payload: unknown) => boolean,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<unknown> {
    let found: unknown;
    let wake = () => undefined as void;
    const arrived = new Promise<void>((resolve) => {
      wake = () => {
        const hit = this.events(event).find(matches);
        if (hit !== undefined) {
          found = hit;
          resolve();
        }
      };
      this.waiters.add(wake);
      wake();
    });
    try {
      await withDeadline(arrived, `a matching "${event}" event`, timeoutMs);
    } finally {
      this.waiters.delete(wake);
    }
    return found;
  }

  /** Emits and waits for the acknowledgement. */
  emitWithAck(event: string, data: unknown): Promise<unknown> {
    return withDeadline(
      this.socket.timeout(DEFAULT_TIMEOUT_MS).emitWithAck(event, data),
      `the acknowledgement of "${event}"`,
    );
  }

  close(): void {
    this.socket.disconnect();
  }
}

async function socketFor(url: string, options: ConnectOptions) {
  const token =
    options.token ??
    (options.userId === undefined
      ? undefined
      : await signToken({ sub: options.userId }));
  const where = options.tokenIn ?? 'auth';
  return io(url + (options.namespace ?? '/'), {
    forceNew: true,
    reconnection: false,
    transports: options.transports ?? ['websocket'],
    auth: token !== undefined && where === 'auth' ? { token } : {},
    query: token !== undefined && where === 'query' ? { token } : {},
    extraHeaders:
      token !== undefined && where === 'header'
        ? { Authorization: `Bearer ${token}` }
        : {},
  });
}

/** Connects and resolves once connected; rejects on `connect_error`. */
export async function connect(
  url: string,
  options: ConnectOptions = {},
): Promise<TestClient> {
  const socket = await socketFor(url, options);
  const client = new TestClient(socket);
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error: Error) => {
      socket.disconnect();
      reject(error);
    });
  });
  await withDeadline(connected, `a connection to ${url}`);
  return client;
}

/** Connects expecting a refusal; resolves with the `connect_error`. */
export async function connectRefused(
  url: string,
  options: ConnectOptions,
): Promise<ConnectError> {
  const socket = await socketFor(url, options);
  const outcome = new Promise<ConnectError>((resolve, reject) => {
    socket.once('connect', () => {
      socket.disconnect();
      reject(new Error('the connection was accepted'));
    });
    socket.once(
      'connect_error',
      (error: Error & { data?: { code?: string } }) => {
        socket.disconnect();
        resolve({ message: error.message, data: error.data });
      },
    );
  });
  return withDeadline(outcome, `a refusal from ${url}`);
}
