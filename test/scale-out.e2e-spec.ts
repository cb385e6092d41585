import { beforeAll, describe, expect, it } from '@jest/globals';

import {
  addressesOnDistinctInstances,
  instanceServing,
} from './support/client-address';
import type { TestClient } from './support/clients';
import { waitUntil } from './support/deadline';
import { useNginxCluster } from './support/nginx-cluster';
import { flush } from './support/redis-client';
import { CHANNELS } from './support/channels';
import { useResources } from './support/resources';

type Transports = ('websocket' | 'polling')[];

describe('three instances behind nginx, sticky by client address', () => {
  const resources = useResources();
  const fixture = useNginxCluster(resources, 3);
  /** Two client addresses that nginx sends to different instances. */
  let addressA: string;
  let addressB: string;
  let instanceA: string;
  let instanceB: string;

  beforeAll(async () => {
    const byInstance = await addressesOnDistinctInstances(
      fixture.cluster.url,
      3,
    );
    [[instanceA, addressA], [instanceB, addressB]] = [...byInstance];
  });

  /** Two tabs of one user, from addresses A and B, checked to be on A's and B's instances. */
  async function tabsOnTwoInstances(
    userId: string,
    transports: Transports,
  ): Promise<[TestClient, TestClient]> {
    const tabA = await fixture.client({
      userId,
      transports,
      localAddress: addressA,
    });
    const tabB = await fixture.client({
      userId,
      transports,
      localAddress: addressB,
    });
    expect((await tabA.whoami()).instance).toBe(instanceA);
    expect((await tabB.whoami()).instance).toBe(instanceB);
    return [tabA, tabB];
  }

  async function expectSyncBothWays(tabA: TestClient, tabB: TestClient) {
    tabA.socket.emit('events', { text: 'from tab A' });
    expect(await tabB.waitFor('events')).toEqual([{ text: 'from tab A' }]);
    tabB.socket.emit('events', { text: 'from tab B' });
    expect(await tabA.waitFor('events', 2)).toEqual([
      { text: 'from tab A' },
      { text: 'from tab B' },
    ]);
    expect(await tabB.waitFor('events', 2)).toEqual([
      { text: 'from tab A' },
      { text: 'from tab B' },
    ]);
  }

  it('sends each client address to one instance, every time', async () => {
    for (let i = 0; i < 5; i += 1) {
      expect(await instanceServing(fixture.cluster.url, addressA)).toBe(
        instanceA,
      );
      expect(await instanceServing(fixture.cluster.url, addressB)).toBe(
        instanceB,
      );
    }
    expect(instanceA).not.toBe(instanceB);
  });

  it('syncs two WebSocket tabs of one user on different instances, both ways', async () => {
    const [tabA, tabB] = await tabsOnTwoInstances('scale-1', ['websocket']);
    await expectSyncBothWays(tabA, tabB);
  });

  it('serves polling-only tabs: nginx keeps every request of a session on its instance', async () => {
    const [tabA, tabB] = await tabsOnTwoInstances('scale-2', ['polling']);
    expect(tabA.socket.io.engine.transport.name).toBe('polling');
    await expectSyncBothWays(tabA, tabB);

    // Many requests per session: each long-poll and each POST must reach the
    // instance holding the session, or it answers "Session ID unknown".
    for (let i = 0; i < 20; i += 1) {
      tabA.socket.emit('events', i);
    }
    const received = await tabB.waitFor('events', 22);
    expect(received.slice(2)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(tabA.socket.connected && tabB.socket.connected).toBe(true);
  });

  it('upgrades a default client from polling to WebSocket through nginx', async () => {
    const [tabA, tabB] = await tabsOnTwoInstances('scale-3', [
      'polling',
      'websocket',
    ]);
    for (const tab of [tabA, tabB]) {
      await waitUntil(
        () => tab.socket.io.engine.transport.name === 'websocket',
        'the upgrade to WebSocket',
      );
    }
    await expectSyncBothWays(tabA, tabB);
  });

  it('delivers a push from another service to every tab of the user, and to no one else', async () => {
    const [tabA, tabB] = await tabsOnTwoInstances('scale-4', ['websocket']);
    const stranger = await fixture.client({
      userId: 'scale-5',
      localAddress: addressA,
    });

    await fixture.publisher.publish(
      CHANNELS.send,
      JSON.stringify({ userId: 'scale-4', event: 'push', data: 'for scale-4' }),
    );

    expect(await tabA.waitFor('push')).toEqual(['for scale-4']);
    expect(await tabB.waitFor('push')).toEqual(['for scale-4']);
    await flush(fixture.publisher, [stranger]);
    expect(stranger.events('push')).toEqual([]);
  });

  it('answers the development push endpoint through nginx, from any instance', async () => {
    const [tabA, tabB] = await tabsOnTwoInstances('scale-6', ['websocket']);

    const response = await fetch(`${fixture.cluster.url}/dev/push`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ userId: 'scale-6', data: { text: 'pushed' } }),
    });

    expect(response.status).toBe(202);
    expect(await tabA.waitFor('push')).toEqual([{ text: 'pushed' }]);
    expect(await tabB.waitFor('push')).toEqual([{ text: 'pushed' }]);
  });
});
