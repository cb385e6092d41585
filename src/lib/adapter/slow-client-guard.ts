import type { RateLimitedLogger } from '../shared/rate-limited-logger';

/**
 * What the guard reads of an Engine.IO connection (`socket.conn`): the
 * packets it queues, the flushes that hand them to the transport, and the
 * transport's own socket (a `ws` WebSocket on the websocket transport).
 */
export interface GuardedConnection {
  readonly id: string;
  readonly transport: { readonly socket?: unknown };
  on(
    event: 'packetCreate',
    listener: (packet: { data?: unknown }) => void,
  ): unknown;
  on(event: 'flush', listener: () => void): unknown;
  close(discard?: boolean): void;
}

/**
 * Disconnects a client that stops reading before its unsent data outgrows
 * `maxBufferedBytes`. A connection's unsent data is what Engine.IO queued
 * and has not handed to the transport yet (it queues while the transport
 * waits for the previous write), plus what the WebSocket holds that the
 * kernel has not taken. Both are checked each time a packet is queued: a
 * counter and a getter, no scan.
 *
 * Strings count by length, so a packet of multi-byte text counts somewhat
 * less than its bytes.
 */
export class SlowClientGuard {
  constructor(
    private readonly maxBufferedBytes: number,
    private readonly onDisconnect: () => void,
    private readonly logger: RateLimitedLogger,
  ) {}

  watch(connection: GuardedConnection): void {
    let queued = 0;
    let dropped = false;
    connection.on('flush', () => {
      queued = 0;
    });
    connection.on('packetCreate', (packet) => {
      queued += sizeOf(packet.data);
      if (dropped) {
        return;
      }
      const unsent = queued + bufferedBy(connection.transport);
      if (unsent > this.maxBufferedBytes) {
        dropped = true;
        this.drop(connection, unsent);
      }
    });
  }

  private drop(connection: GuardedConnection, unsent: number): void {
    const webSocket = connection.transport.socket as
      { terminate?: () => void } | undefined;
    // Discard what is queued and close at once, rather than wait for a
    // drain that will not come; the sockets see 'forced close'.
    connection.close(true);
    // A closing WebSocket keeps its unsent frames until the peer answers the
    // close or 30 s pass; this peer reads nothing, so let them go now.
    webSocket?.terminate?.();
    this.onDisconnect();
    this.logger.warn(
      'slow-client',
      `Disconnected connection ${connection.id}: ${unsent} bytes unsent, ` +
        `over the limit of ${this.maxBufferedBytes} (maxBufferedBytes)`,
    );
  }
}

function sizeOf(data: unknown): number {
  if (typeof data === 'string') {
    return data.length;
  }
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    return data.byteLength;
  }
  return 0;
}

function bufferedBy(transport: GuardedConnection['transport']): number {
  const amount = (transport.socket as { bufferedAmount?: unknown } | undefined)
    ?.bufferedAmount;
  return typeof amount === 'number' ? amount : 0;
}
