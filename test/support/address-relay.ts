import { connect, createServer, type Socket } from 'node:net';

/** A TCP relay whose outgoing connections leave from a chosen address. */
export interface AddressRelay {
  /** `http://127.0.0.1:<port>`: connect here instead of the target. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Relays every connection to the target from `localAddress`. A browser
 * cannot choose its source address; through a relay, two pages of one
 * browser reach nginx as two clients at different addresses.
 */
export async function startAddressRelay(
  targetPort: number,
  localAddress: string,
): Promise<AddressRelay> {
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };
  const server = createServer((client) => {
    const upstream = connect({
      host: '127.0.0.1',
      port: targetPort,
      localAddress,
    });
    track(client);
    track(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
