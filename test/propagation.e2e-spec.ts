import { beforeAll, describe, expect, it } from '@jest/globals';
import { RedisPropagatorService } from '../src/lib';
import type { AppInstance } from './support/app-instance';
import { flush, type RawPublisher } from './support/redis-client';
import { CHANNELS } from './support/channels';
import { useResources } from './support/resources';
import { TRANSPORTS, useTransportCluster } from './support/transports';

describe.each(TRANSPORTS)(
  'propagation across instances, over $name',
  (transport) => {
    const resources = useResources();
    const cluster = useTransportCluster(resources, transport, 2);
    let publisher: RawPublisher;
    let one: AppInstance;
    let two: AppInstance;

    beforeAll(() => {
      publisher = cluster.publisher;
      [one, two] = cluster.instances;
    });

    const client = (instance: AppInstance, userId?: string) =>
      cluster.client(instance, { userId });

    async function audience() {
      return {
        tabA: await client(one, '42'),
        tabB: await client(two, '42'),
        otherUser: await client(two, '43'),
        anonymous: await client(one),
        anonymousTwo: await client(two),
      };
    }

    it('keeps each namespace apart: a tab event and a push reach the same namespace only, on both instances', async () => {
      const inNamespace = (instance: AppInstance) =>
        cluster.client(instance, {
          userId: 'ns-1',
          namespace: '/notifications',
        });
      const notifyA = await inNamespace(one);
      const notifyB = await inNamespace(two);
      const rootTab = await client(two, 'ns-1');

      notifyA.socket.emit('notify', 'sent in /notifications');
      expect(await notifyB.waitFor('notification')).toEqual([
        'sent in /notifications',
      ]);
      await publisher.publish(
        CHANNELS.user('ns-1'),
        JSON.stringify({
          event: 'push',
          data: 'for /notifications',
          namespace: '/notifications',
        }),
      );
      expect(await notifyA.waitFor('push')).toEqual(['for /notifications']);
      expect(await notifyB.waitFor('push')).toEqual(['for /notifications']);
      await flush(publisher, [rootTab]);
      expect(rootTab.events('notification')).toEqual([]);
      expect(rootTab.events('push')).toEqual([]);
    });

    it('syncs a tab event to the same user on another instance, and to nobody else', async () => {
      const { tabA, tabB, otherUser, anonymous } = await audience();

      tabA.socket.emit('events', { text: 'hello' });

      expect(await tabB.waitFor('events')).toEqual([{ text: 'hello' }]);
      expect(await tabA.waitFor('events')).toEqual([{ text: 'hello' }]);
      await flush(publisher, [tabA, tabB, otherUser, anonymous]);
      expect(tabA.events('events')).toHaveLength(1);
      expect(tabB.events('events')).toHaveLength(1);
      expect(otherUser.events('events')).toEqual([]);
      expect(anonymous.events('events')).toEqual([]);
    });

    it('answers an acknowledged event through the ack only, and syncs it to the tabs on both instances once', async () => {
      const { tabA, tabB, otherUser } = await audience();
      const tabC = await client(one, '42');

      expect(await tabA.emitWithAck('events', { text: 'acked' })).toEqual({
        text: 'acked',
      });

      expect(await tabB.waitFor('events')).toEqual([{ text: 'acked' }]);
      expect(await tabC.waitFor('events')).toEqual([{ text: 'acked' }]);
      await flush(publisher, [tabA, tabB, tabC, otherUser]);
      expect(tabA.events('events')).toEqual([]);
      expect(tabB.events('events')).toHaveLength(1);
      expect(tabC.events('events')).toHaveLength(1);
      expect(otherUser.events('events')).toEqual([]);
    });

    it('sends the response as one event to a sender that asked for no ack', async () => {
      const { tabA, tabB } = await audience();

      tabA.socket.emit('events', 'no ack');

      expect(await tabA.waitFor('events')).toEqual(['no ack']);
      expect(await tabB.waitFor('events')).toEqual(['no ack']);
      await flush(publisher, [tabA, tabB]);
      expect(tabA.events('events')).toEqual(['no ack']);
      expect(tabB.events('events')).toEqual(['no ack']);
    });

    it('syncs binary data byte for byte: a Buffer, one nested in an object, and 600 KB of it', async () => {
      const { tabA, tabB } = await audience();
      const tabC = await client(one, '42');
      const bytes = Buffer.from([0, 1, 2, 127, 128, 255]);
      const large = Buffer.alloc(600_000, 7);

      tabA.socket.emit('events', bytes);
      tabA.socket.emit('events', { name: 'a.bin', content: bytes, list: [1] });
      tabA.socket.emit('events', large);

      for (const tab of [tabB, tabC]) {
        const [plain, nested, big] = (await tab.waitFor('events', 3)) as [
          Buffer,
          { name: string; content: Buffer; list: number[] },
          Buffer,
        ];
        expect(Buffer.isBuffer(plain)).toBe(true);
        expect(plain.equals(bytes)).toBe(true);
        expect(nested.name).toBe('a.bin');
        expect(nested.list).toEqual([1]);
        expect(Buffer.isBuffer(nested.content)).toBe(true);
        expect(nested.content.equals(bytes)).toBe(true);
        expect(big.equals(large)).toBe(true);
      }
    });

    it('delivers a push on the send channel to every tab of the user on both instances', async () => {
      const { tabA, tabB, otherUser, anonymous } = await audience();

      await publisher.publish(
        CHANNELS.send,
        JSON.stringify({ userId: '42', event: 'notification', data: { n: 1 } }),
      );

      expect(await tabA.waitFor('notification')).toEqual([{ n: 1 }]);
      expect(await tabB.waitFor('notification')).toEqual([{ n: 1 }]);
      await flush(publisher, [tabA, tabB, otherUser, anonymous]);
      expect(otherUser.events('notification')).toEqual([]);
      expect(anonymous.events('notification')).toEqual([]);
    });

    it('delivers emit-to-all to every socket on both instances, anonymous ones included', async () => {
      const sockets = Object.values(await audience());

      await publisher.publish(
        CHANNELS.emitAll,
        JSON.stringify({ event: 'announcement', data: 'all' }),
      );

      for (const socket of sockets) {
        expect(await socket.waitFor('announcement')).toEqual(['all']);
      }
    });

    it('delivers emit-to-authenticated to authenticated sockets on both instances only', async () => {
      const { tabA, tabB, otherUser, anonymous, anonymousTwo } =
        await audience();

      await publisher.publish(
        CHANNELS.emitAuthenticated,
        JSON.stringify({ event: 'members', data: 'only' }),
      );

      for (const socket of [tabA, tabB, otherUser]) {
        expect(await socket.waitFor('members')).toEqual(['only']);
      }
      await flush(publisher, [anonymous, anonymousTwo]);
      expect(anonymous.events('members')).toEqual([]);
      expect(anonymousTwo.events('members')).toEqual([]);
    });

    it('accepts an integer userId as its decimal string', async () => {
      const { tabA, tabB } = await audience();

      await publisher.publish(
        CHANNELS.send,
        JSON.stringify({ userId: 42, event: 'notification', data: 'int' }),
      );

      expect(await tabA.waitFor('notification')).toEqual(['int']);
      expect(await tabB.waitFor('notification')).toEqual(['int']);
    });

    it('leaves out the socket named by socketId', async () => {
      const { tabA, tabB } = await audience();
      const tabC = await client(two, '42');

      await publisher.publish(
        CHANNELS.send,
        JSON.stringify({
          userId: '42',
          socketId: tabB.socket.id,
          event: 'notification',
          data: 'not for B',
        }),
      );

      expect(await tabA.waitFor('notification')).toEqual(['not for B']);
      expect(await tabC.waitFor('notification')).toEqual(['not for B']);
      await flush(publisher, [tabB]);
      expect(tabB.events('notification')).toEqual([]);
    });

    it('drops malformed messages and still delivers every valid one on both instances', async () => {
      const { tabA, tabB } = await audience();
      const before = [one, two].map((i) =>
        i.app.get(RedisPropagatorService).getMetrics(),
      );
      const malformed = [
        'not json',
        '{"userId":"42","event":"notification"',
        'null',
        '[1,2,3]',
        '"a string"',
        JSON.stringify({ userId: '42' }),
        JSON.stringify({ userId: '', event: 'notification' }),
        JSON.stringify({ userId: {}, event: 'notification' }),
        JSON.stringify({ userId: 4.2, event: 'notification' }),
        JSON.stringify({ userId: '42', event: '' }),
        JSON.stringify({ userId: '42', event: 'disconnect' }),
        JSON.stringify({ userId: '42', event: 'x'.repeat(129) }),
        JSON.stringify({ userId: '42', event: 'notification', namespace: 7 }),
        JSON.stringify({ userId: '42', event: 'notification', socketId: 1 }),
        Buffer.from([0xff, 0xfe, 0x00]),
      ];

      for (const [index, bad] of malformed.entries()) {
        await publisher.publish(
          CHANNELS.send,
          JSON.stringify({ userId: '42', event: 'notification', data: index }),
        );
        await publisher.publish(CHANNELS.send, bad);
      }
      await publisher.publish(
        CHANNELS.send,
        JSON.stringify({ userId: '42', event: 'notification', data: 'last' }),
      );

      const expected = [...malformed.keys(), 'last'];
      expect(await tabA.waitFor('notification', expected.length)).toEqual(
        expected,
      );
      expect(await tabB.waitFor('notification', expected.length)).toEqual(
        expected,
      );
      for (const [index, instance] of [one, two].entries()) {
        const after = instance.app.get(RedisPropagatorService).getMetrics();
        const dropped =
          after.dropped.invalid +
          after.dropped.not_json -
          (before[index].dropped.invalid + before[index].dropped.not_json);
        expect(dropped).toBe(malformed.length);
      }
    });
  },
);
