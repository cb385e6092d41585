import type { Agent } from 'node:http';
import { io, type Socket } from 'socket.io-client';
import { agentFrom } from './client-address';
import { DEFAULT_TIMEOUT_MS, waitUntil, withDeadline } from './deadline';
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
  /** Sends from this loopback address (nginx hashes clients by address). */
  localAddress?: string;
  /** Extra HTTP headers of the handshake (`Origin`, `X-Forwarded-For`). */
  headers?: Record<string, string>;
  /** Reconnects as a browser would, with Socket.IO's default delays. @default false */
  reconnection?: boolean;
  /** How long `connect` waits for the connection. @default DEFAULT_TIMEOUT_MS */
  timeoutMs?: number;
}

/** The answer to `whoami`. */
export interface WhoAmI {
  instance: string;
  socketId: string;
  userId: string | null;
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
  private connections = 0;

  constructor(
    readonly socket: ClientSocket,
    private readonly agent?: Agent,
  ) {
    socket.on('connect', () => (this.connections += 1));
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

  /** Asks the server which instance holds this socket. */
  async whoami(): Promise<WhoAmI> {
    return (await this.emitWithAck('whoami', null)) as WhoAmI;
  }

  /** How many times the socket has connected, the first time included. */
  get connectionCount(): number {
    return this.connections;
  }

  /** Waits until the socket has connected more than `count` times in all. */
  waitForConnectionAfter(count: number, timeoutMs: number): Promise<void> {
    return waitUntil(
      () => this.socket.connected && this.connections > count,
      `socket to connect again (connected ${count} time(s) before)`,
      timeoutMs,
    );
  }

  close(): void {
    this.socket.disconnect();
    this.agent?.destroy();
  }
}

async function socketFor(
  url: string,
  options: ConnectOptions,
): Promise<{ socket: ClientSocket; agent?: Agent }> {
  const token =
    options.token ??
    (options.userId === undefined
      ? undefined
      : await signToken({ sub: options.userId }));
  const where = options.tokenIn ?? 'auth';
  const agent =
    options.localAddress === undefined
      ? undefined
      : agentFrom(options.localAddress);
  const socket = io(url + (options.namespace ?? '/'), {
    forceNew: true,
    reconnection: options.reconnection ?? false,
    // Both transports take an http.Agent in Node.js; the types say otherwise.
    agent: agent as unknown as string | undefined,
    transports: options.transports ?? ['websocket'],
    auth: token !== undefined && where === 'auth' ? { token } : {},
    query: token !== undefined && where === 'query' ? { token } : {},
    extraHeaders: {
      ...options.headers,
      ...(token !== undefined && where === 'header'
        ? { Authorization: `Bearer ${token}` }
        : {}),
    },
  });
  return { socket, agent };
}

/** Connects and resolves once connected; rejects on `connect_error`. */
export async function connect(
  url: string,
  options: ConnectOptions = {},
): Promise<TestClient> {
  const { socket, agent } = await socketFor(url, options);
  const client = new TestClient(socket, agent);
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error: Error) => {
      client.close();
      reject(error);
    });
  });
  try {
    await withDeadline(connected, `a connection to ${url}`, options.timeoutMs);
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}

/** Connects expecting a refusal; resolves with the `connect_error`. */
export async function connectRefused(
  url: string,
  options: ConnectOptions,
): Promise<ConnectError> {
  const { socket, agent } = await socketFor(url, options);
  const done = () => {
    socket.disconnect();
    agent?.destroy();
  };
  const outcome = new Promise<ConnectError>((resolve, reject) => {
    socket.once('connect', () => {
      done();
      reject(new Error('the connection was accepted'));
    });
    socket.once(
      'connect_error',
      (error: Error & { data?: { code?: string } }) => {
        done();
        resolve({ message: error.message, data: error.data });
      },
    );
  });
  return withDeadline(outcome, `a refusal from ${url}`);
}
