// What the load generators (`npm run bench`, `npm run soak`) share: clients
// that connect thousands of sockets from loopback, and pacing.
import { SignJWT } from 'jose';
import { io, type Socket } from 'socket.io-client';

// One loopback source address serves this many sockets before the next one
// is used, so that the client side never runs out of ports.
const SOCKETS_PER_ADDRESS = 10_000;

/** Socket.IO clients of signed-in users, with their tokens signed once. */
export class Clients {
  private readonly sockets: Socket[] = [];
  private readonly tokens = new Map<string, string>();

  constructor(private readonly secret: Uint8Array) {}

  /** Signs the users' tokens ahead, so that timed connects do not sign. */
  async signTokens(userIds: readonly string[]): Promise<void> {
    for (const userId of userIds) {
      await this.token(userId);
    }
  }

  /** Connects a websocket-only socket, with no reconnection, as `userId`. */
  async connect(url: string, userId: string): Promise<Socket> {
    const token = await this.token(userId);
    const socket = io(url, {
      forceNew: true,
      reconnection: false,
      transports: ['websocket'],
      auth: { token },
      // ws binds to it; an http.Agent would also keep every upgraded socket
      // in its books, which slows connecting thousands of them.
      localAddress: addressFor(this.sockets.length),
    } as Parameters<typeof io>[1]);
    this.sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  }

  private async token(userId: string): Promise<string> {
    let token = this.tokens.get(userId);
    if (token === undefined) {
      token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setExpirationTime('1h')
        .sign(this.secret);
      this.tokens.set(userId, token);
    }
    return token;
  }

  closeAll(): void {
    for (const socket of this.sockets) {
      socket.disconnect();
    }
  }
}

// Each run connects from addresses of its own: the ports earlier runs left
// in TIME_WAIT would otherwise slow the kernel's search for a free one.
const RUN_NETWORK = `127.${1 + (process.pid % 250)}.0`;

/** The loopback source address of the socket of that index. */
function addressFor(index: number): string {
  return `${RUN_NETWORK}.${1 + Math.floor(index / SOCKETS_PER_ADDRESS)}`;
}

/** Calls `send` `rate` times a second for `durationMs`, evenly. */
export async function pace(
  rate: number,
  durationMs: number,
  send: (n: number) => void,
): Promise<number> {
  const total = Math.round((rate * durationMs) / 1_000);
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(
      total,
      Math.floor(((performance.now() - start) * rate) / 1_000),
    );
    while (sent < due) {
      send(sent);
      sent += 1;
    }
    await sleep(2);
  }
  return sent;
}

/** Runs `count` connects, at most `concurrency` at a time. */
export async function connectMany(
  count: number,
  concurrency: number,
  connectOne: (n: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next;
      next += 1;
      await connectOne(n);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
