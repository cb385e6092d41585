import { describe, expect, it } from '@jest/globals';
import { startAppProcess } from './support/app-process';
import { CHANNELS } from './support/channels';
import { connect } from './support/clients';
import { waitUntil } from './support/deadline';
import { scrape } from './support/metrics';
import { redisClient } from './support/redis-client';
import { startRedisServer } from './support/redis-server';
import { useResources } from './support/resources';
import { connectStalledClient } from './support/stalled-websocket';
import { signToken } from './support/tokens';

const PUSHES = 20_000;
const BATCH = 500;
const MAX_BUFFERED_BYTES = 1024 * 1024;
const MB = 1024 * 1024;

describe('a client that stops reading', () => {
  const resources = useResources();

  it('is disconnected once its unsent data passes the limit; memory stays bounded and a neighbour is served', async () => {
    const redis = resources.forTest(await startRedisServer(), (r) => r.stop());
    const app = resources.forTest(
      await startAppProcess('slow-clients', {
        REDIS_URL: redis.url,
        MAX_BUFFERED_BYTES: String(MAX_BUFFERED_BYTES),
        // Messages may then be up to 165,536 bytes: one fits the buffer.
        MAX_PAYLOAD_BYTES: '100000',
      }),
      (a) => a.stop(),
    );
    resources.forTest(
      await connectStalledClient(app.url, await signToken({ sub: 'stalled' })),
      (c) => c.close(),
    );
    const neighbour = resources.forTest(
      await connect(app.url, { userId: 'neighbour' }),
      (c) => c.close(),
    );
    const publisher = resources.forTest(redisClient(redis.url), (c) =>
      c.quit(),
    );
    const subscribers = async (userId: string) =>
      (
        (await publisher.pubsub('NUMSUB', CHANNELS.user(userId))) as number[]
      )[1];
    expect(await subscribers('stalled')).toBe(1);

    const rssBefore = app.rssBytes();
    let rssPeak = rssBefore;
    const kilobyte = 'x'.repeat(1024);
    for (let sent = 0; sent < PUSHES; sent += BATCH) {
      const batch = publisher.pipeline();
      for (let i = sent; i < sent + BATCH; i += 1) {
        batch.publish(
          CHANNELS.user('stalled'),
          JSON.stringify({ event: 'push', data: { i, kilobyte } }),
        );
      }
      await batch.exec();
      rssPeak = Math.max(rssPeak, app.rssBytes());
    }

    await app.process.waitForOutput('over the limit of 1048576', 5_000);
    // Its only socket is gone, so the instance lets go of its channel.
    await waitUntil(
      async () => (await subscribers('stalled')) === 0,
      "the stalled user's channel to be unsubscribed",
    );
    rssPeak = Math.max(rssPeak, app.rssBytes());
    expect(
      (await scrape(app.url)).value('propagator_disconnects_total', {
        reason: 'slow_client',
      }),
    ).toBe(1);

    const pushedAt = Date.now();
    await publisher.publish(
      CHANNELS.user('neighbour'),
      JSON.stringify({ event: 'push', data: 'still served' }),
    );
    expect(await neighbour.waitFor('push', 1, 1_000)).toEqual(['still served']);
    const growth = (rssPeak - rssBefore) / MB;
    console.log(
      `slow client: ${PUSHES} pushes of 1 KB; disconnected over ${MAX_BUFFERED_BYTES} bytes unsent; ` +
        `server RSS ${(rssBefore / MB).toFixed(1)} MB before, peak +${growth.toFixed(1)} MB; ` +
        `neighbour's push after ${Date.now() - pushedAt} ms`,
    );
    expect(growth).toBeLessThan(100);
  });
});
