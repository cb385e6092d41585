import { Redis } from 'ioredis';

import { CHANNELS } from './channels';
import type { TestClient } from './clients';

/** A plain ioredis client, as another service would use to push. */
export function redisClient(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  return client;
}

/** Publishes raw bytes on a channel, as another service would. */
export interface RawPublisher {
  publish(channel: string, message: string | Buffer): Promise<unknown>;
}

let markers = 0;

/**
 * Publishes a marker on the emit-to-all channel and waits until every client
 * has it. Redis delivers to each subscriber in publish order, so whatever
 * was delivered before the marker has arrived by then: a test can then
 * assert that something did not arrive, without sleeping.
 */
export async function flush(
  publisher: RawPublisher,
  clients: TestClient[],
  namespace = '/',
): Promise<void> {
  markers += 1;
  const marker = `flush-${markers}`;
  await publisher.publish(
    CHANNELS.emitAll,
    JSON.stringify({ event: 'flush', data: marker, namespace }),
  );
  await Promise.all(
    clients.map((client) =>
      client.waitForMatch('flush', (data) => data === marker),
    ),
  );
}
