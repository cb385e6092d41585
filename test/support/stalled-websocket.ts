import { randomBytes } from 'node:crypto';
import { connect as connectTcp, type Socket } from 'node:net';
import { withDeadline } from './deadline';

/** A client connected over a raw WebSocket that has stopped reading. */
export interface StalledClient {
  /** The TCP socket, paused: what the server sends piles up. */
  readonly tcp: Socket;
  close(): void;
}

/**
 * Connects to a Socket.IO server as a raw WebSocket client (Engine.IO v4),
 * joins the main namespace with `token`, then pauses its TCP socket and
 * never reads again: a frozen tab, as the server sees it.
 */
export async function connectStalledClient(
  baseUrl: string,
  token: string,
): Promise<StalledClient> {
  const { hostname, port } = new URL(baseUrl);
  const tcp = connectTcp({ host: hostname, port: Number(port) });
  try {
    await withDeadline(
      handshake(tcp, `${hostname}:${port}`, token),
      `a raw WebSocket connection to ${baseUrl}`,
    );
  } catch (error) {
    tcp.destroy();
    throw error;
  }
  tcp.pause();
  // The server may reset it; that is the point, not a failure.
  tcp.on('error', () => undefined);
  return { tcp, close: () => tcp.destroy() };
}

async function handshake(tcp: Socket, host: string, token: string) {
  const frames = new FrameReader(tcp);
  tcp.write(
    [
      'GET /socket.io/?EIO=4&transport=websocket HTTP/1.1',
      `Host: ${host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  const status = await frames.httpStatus();
  if (status !== 101) {
    throw new Error(`the WebSocket upgrade answered ${status}`);
  }
  const open = await frames.text();
  if (!open.startsWith('0{')) {
    throw new Error(`expected the Engine.IO open packet, got ${open}`);
  }
  // Engine.IO message (4) carrying a Socket.IO CONNECT (0) with auth.
  tcp.write(maskedTextFrame(`40${JSON.stringify({ token })}`));
  const reply = await frames.text();
  if (!reply.startsWith('40{')) {
    throw new Error(`the namespace refused the client: ${reply}`);
  }
  frames.stop();
}

/** A client frame: FIN, text, masked, as RFC 6455 requires of clients. */
function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 0xffff) {
    throw new Error('frame too long for this test client');
  }
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([
          0x81,
          0x80 | 126,
          payload.length >> 8,
          payload.length & 0xff,
        ]);
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([header, mask, masked]);
}

/** Reads the upgrade response, then unmasked server text frames. */
class FrameReader {
  private buffered = Buffer.alloc(0);
  private wake = () => undefined as void;
  private failure?: Error;
  private readonly onData = (chunk: Buffer) => {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    this.wake();
  };
  private readonly onEnd = () => {
    this.failure = new Error('the server closed the connection');
    this.wake();
  };

  constructor(private readonly tcp: Socket) {
    tcp.on('data', this.onData);
    tcp.on('error', this.onEnd);
    tcp.on('close', this.onEnd);
  }

  async httpStatus(): Promise<number> {
    const head = await this.take((buffer) => {
      const end = buffer.indexOf('\r\n\r\n');
      return end < 0 ? undefined : end + 4;
    });
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(head.toString('latin1'))?.[1]);
  }

  async text(): Promise<string> {
    const frame = await this.take((buffer) => {
      if (buffer.length < 2) return undefined;
      const short = buffer[1] & 0x7f;
      if (short === 127) throw new Error('unexpectedly long server frame');
      const start = short === 126 ? 4 : 2;
      if (buffer.length < start) return undefined;
      const length = short === 126 ? buffer.readUInt16BE(2) : short;
      return buffer.length < start + length ? undefined : start + length;
    });
    const start = (frame[1] & 0x7f) === 126 ? 4 : 2;
    return frame.subarray(start).toString('utf8');
  }

  stop(): void {
    this.tcp.off('data', this.onData);
    this.tcp.off('error', this.onEnd);
    this.tcp.off('close', this.onEnd);
  }

  /** Waits until `complete` says how many bytes form the next item, and takes them. */
  private async take(
    complete: (buffer: Buffer) => number | undefined,
  ): Promise<Buffer> {
    for (;;) {
      const size = complete(this.buffered);
      if (size !== undefined) {
        const item = this.buffered.subarray(0, size);
        this.buffered = this.buffered.subarray(size);
        return item;
      }
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
