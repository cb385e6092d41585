import { describe, expect, it } from '@jest/globals';
import { useCluster } from './support/cluster';
import { withDeadline } from './support/deadline';
import { useResources } from './support/resources';

/** The promise to a sender: its ack never waits for Redis. */
const ACK_WITHIN_MS = 1_000;

describe('acknowledgements while Redis is down', () => {
  const resources = useResources();
  const cluster = useCluster(resources, 2);

  it('answers within 1 s while Redis is frozen, when a publish could never finish', async () => {
    const [one, two] = cluster.instances;
    const tabA = await cluster.client(one, { userId: '43' });
    await cluster.client(two, { userId: '43' });

    // Connections stay open and nothing is answered: a sender that waited
    // for its publish would wait for ever.
    cluster.redis.freeze();
    resources.forTest(cluster.redis, (redis) => redis.thaw());

    expect(
      await withDeadline(
        tabA.socket.emitWithAck('events', 'while frozen'),
        'the acknowledgement while Redis is frozen',
        ACK_WITHIN_MS,
      ),
    ).toBe('while frozen');
  });

  it('still answers an acknowledged event within 1 s after Redis is killed', async () => {
    const [one, two] = cluster.instances;
    const tabA = await cluster.client(one, { userId: '42' });
    await cluster.client(two, { userId: '42' });

    await cluster.redis.stop();

    expect(
      await withDeadline(
        tabA.socket.emitWithAck('events', 'during the outage'),
        'the acknowledgement while Redis is down',
        ACK_WITHIN_MS,
      ),
    ).toBe('during the outage');
    expect(tabA.events('events')).toEqual([]);
  });
});
