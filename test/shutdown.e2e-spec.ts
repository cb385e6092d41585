import { describe, expect, it } from '@jest/globals';
import { CHANNELS } from './support/channels';
import { waitUntil } from './support/deadline';
import {
  tabsOnDoomedAndSurvivor,
  useNginxCluster,
} from './support/nginx-cluster';
import { useResources } from './support/resources';

const DELAY_MS = 500;
const GRACE_MS = 10_000;

describe('a rolling deploy: one instance behind nginx gets SIGTERM', () => {
  const resources = useResources();
  const fixture = useNginxCluster(resources, 3, {
    env: {
      SHUTDOWN_DELAY_MS: String(DELAY_MS),
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    },
  });

  it('drains: 503 at once, tells its clients, exits 0, and its clients get the next push on a survivor', async () => {
    const userId = 'rolling-1';
    const {
      doomed: instance,
      onDoomed,
      onSurvivor,
    } = await tabsOnDoomedAndSurvivor(fixture, userId);

    const signalledAt = Date.now();
    instance.process.kill('SIGTERM');

    await waitUntil(
      async () => (await fetch(`${instance.url}/health`)).status === 503,
      '/health of the draining instance to answer 503',
      DELAY_MS,
    );
    const unhealthyAfter = Date.now() - signalledAt;
    for (const client of onDoomed) {
      expect(await client.waitFor('server_shutdown', 1, 5_000)).toEqual([
        { reason: 'the instance is shutting down' },
      ]);
    }
    await instance.process.exited;
    const exitedAfter = Date.now() - signalledAt;
    expect(instance.process.describeExit()).toBe('exited with code 0');
    expect(exitedAfter).toBeLessThan(GRACE_MS);

    const survivors = fixture.cluster.instances
      .map((i) => i.id)
      .filter((id) => id !== instance.id);
    for (const client of onDoomed) {
      await client.waitForConnectionAfter(1, 10_000);
      expect(survivors).toContain((await client.whoami()).instance);
    }
    const backAfter = Date.now() - signalledAt;
    console.log(
      `SIGTERM: /health 503 after ${unhealthyAfter} ms, exit 0 after ${exitedAfter} ms (delay ${DELAY_MS} ms), clients back on a survivor after ${backAfter} ms`,
    );

    await fixture.publisher.publish(
      CHANNELS.user(userId),
      JSON.stringify({ event: 'push', data: 'after the deploy' }),
    );
    for (const client of [...onDoomed, onSurvivor]) {
      expect(
        await client.waitForMatch(
          'push',
          (data) => data === 'after the deploy',
        ),
      ).toBe('after the deploy');
    }
  });
});
