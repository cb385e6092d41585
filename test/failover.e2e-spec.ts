import { describe, expect, it } from '@jest/globals';
import {
  tabsOnDoomedAndSurvivor,
  useNginxCluster,
} from './support/nginx-cluster';
import { CHANNELS } from './support/channels';
import { useResources } from './support/resources';

/** The promise to clients of a dead instance: back on a survivor within this. */
const RECONNECT_DEADLINE_MS = 10_000;

describe('an instance behind nginx dies', () => {
  const resources = useResources();
  const fixture = useNginxCluster(resources, 3);

  it('moves its clients to a survivor within 10 s, where they get the next push', async () => {
    const userId = 'failover-1';
    const { doomed, onDoomed, onSurvivor } = await tabsOnDoomedAndSurvivor(
      fixture,
      userId,
    );

    doomed.process.kill('SIGKILL');
    await doomed.process.exited;
    expect(doomed.process.describeExit()).toBe('was killed by SIGKILL');

    const survivors = fixture.cluster.instances
      .map((i) => i.id)
      .filter((id) => id !== doomed.id);
    for (const client of onDoomed) {
      await client.waitForConnectionAfter(1, RECONNECT_DEADLINE_MS);
      expect(survivors).toContain((await client.whoami()).instance);
    }

    await fixture.publisher.publish(
      CHANNELS.send,
      JSON.stringify({ userId, event: 'push', data: 'after the failover' }),
    );
    for (const client of [...onDoomed, onSurvivor]) {
      expect(await client.waitFor('push')).toEqual(['after the failover']);
    }
    // The client on the survivor never noticed.
    expect(onSurvivor.connectionCount).toBe(1);
  });
});
