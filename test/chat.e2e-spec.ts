import { beforeAll, describe, expect, it } from '@jest/globals';
import { RedisPropagatorService } from '../src/lib';
import type { AppInstance } from './support/app-instance';
import { CHANNELS } from './support/channels';
import { scrape } from './support/metrics';
import type { TestClient } from './support/clients';
import { useResources } from './support/resources';
import { TRANSPORTS, useTransportCluster } from './support/transports';

interface Joined {
  roomId: string;
  members: string[];
}

const ask = <T>(client: TestClient, event: string, body: unknown) =>
  client.socket.timeout(5_000).emitWithAck(event, body) as Promise<T>;

// The reference app's ChatGateway: rooms written as the docs teach them,
// across two instances, over every transport.
describe.each(TRANSPORTS)(
  'the chat across instances, over $name',
  (transport) => {
    const resources = useResources();
    const cluster = useTransportCluster(resources, transport, 2);
    let one: AppInstance;
    let two: AppInstance;

    beforeAll(() => {
      [one, two] = cluster.instances;
    });

    it('joins, tells the room, and answers with the members of every instance', async () => {
      const ada = await cluster.client(one, { userId: 'ada' });
      const bob = await cluster.client(two, { userId: 'bob' });
      expect(await ask(ada, 'chat:join', { roomId: 'lobby' })).toEqual({
        roomId: 'lobby',
        members: ['ada'],
      });
      const joined = await ask<Joined>(bob, 'chat:join', { roomId: 'lobby' });
      expect(joined).toEqual({ roomId: 'lobby', members: ['ada', 'bob'] });
      expect(await ada.waitFor('chat:userJoined')).toEqual([
        { roomId: 'lobby', userId: 'bob' },
      ]);
    });

    it('delivers a message to everyone in the room, the sender and its other tabs included, and no one else', async () => {
      const ada = await cluster.client(one, { userId: 'ada' });
      const adaTab = await cluster.client(two, { userId: 'ada' });
      const bob = await cluster.client(two, { userId: 'bob' });
      const outsider = await cluster.client(two, { userId: 'eve' });
      for (const member of [ada, adaTab, bob]) {
        await ask(member, 'chat:join', { roomId: 'talk' });
      }
      await ask(outsider, 'chat:join', { roomId: 'elsewhere' });
      const roomDeliveries = async (instance: AppInstance) =>
        (await scrape(instance.url)).value(
          'propagator_messages_delivered_total',
          { kind: 'room' },
        );
      const before = [await roomDeliveries(one), await roomDeliveries(two)];
      const { id } = await ask<{ id: string }>(ada, 'chat:message', {
        roomId: 'talk',
        text: 'hello',
      });
      for (const member of [ada, adaTab, bob]) {
        const [message] = await member.waitFor('chat:message');
        expect(message).toEqual({
          roomId: 'talk',
          userId: 'ada',
          text: 'hello',
          id,
          sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        });
      }
      // Each instance counts the sockets it delivered to: ada's here, her
      // other tab and bob's there.
      expect([
        (await roomDeliveries(one)) - before[0],
        (await roomDeliveries(two)) - before[1],
      ]).toEqual([1, 2]);
      // A message to the outsider's room, after: had it been sent "hello",
      // that would have come first.
      await ask(outsider, 'chat:message', {
        roomId: 'elsewhere',
        text: 'mark',
      });
      await outsider.waitFor('chat:message');
      expect(outsider.events('chat:message')).toHaveLength(1);
    });

    it('leaves: the others are told, and the socket gets no more', async () => {
      const ada = await cluster.client(one, { userId: 'ada' });
      const bob = await cluster.client(two, { userId: 'bob' });
      await ask(ada, 'chat:join', { roomId: 'brief' });
      await ask(bob, 'chat:join', { roomId: 'brief' });
      expect(await ask(bob, 'chat:leave', { roomId: 'brief' })).toEqual({
        roomId: 'brief',
      });
      expect(await ada.waitFor('chat:userLeft')).toEqual([
        { roomId: 'brief', userId: 'bob' },
      ]);
      expect(
        await ask(bob, 'chat:message', { roomId: 'brief', text: 'x' }),
      ).toEqual({
        error: {
          code: 'not_in_room',
          message: 'join "brief" before sending to it',
        },
      });
    });

    it('refuses anonymous sockets, bad room ids and bad texts with an error ack', async () => {
      const anonymous = await cluster.client(one);
      const ada = await cluster.client(one, { userId: 'ada' });
      expect(await ask(anonymous, 'chat:join', { roomId: 'lobby' })).toEqual({
        error: {
          code: 'unauthorized',
          message: 'the chat is for authenticated sockets',
        },
      });
      const badRoom = {
        error: {
          code: 'invalid_room',
          message:
            '"roomId" must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -',
        },
      };
      for (const roomId of ['', 'x'.repeat(65), 'a b', 'chat:lobby', 42]) {
        expect(await ask(ada, 'chat:join', { roomId })).toEqual(badRoom);
      }
      expect(await ask(ada, 'chat:join', null)).toEqual(badRoom);
      await ask(ada, 'chat:join', { roomId: 'strict' });
      const badText = {
        error: {
          code: 'invalid_text',
          message: '"text" must be a string of 1 to 2000 characters',
        },
      };
      for (const text of ['', 'x'.repeat(2_001), 7, undefined]) {
        expect(
          await ask(ada, 'chat:message', { roomId: 'strict', text }),
        ).toEqual(badText);
      }
      expect(ada.events('chat:message')).toEqual([]);
    });

    it('takes a push to a room from another service, and answers how many instances hold it', async () => {
      const ada = await cluster.client(one, { userId: 'ada' });
      const bob = await cluster.client(two, { userId: 'bob' });
      const propagator = one.app.get(RedisPropagatorService);
      const push = (data: unknown) =>
        propagator.emitToRoom('chat:pushed', { event: 'chat:notice', data });
      expect(await push('nobody')).toBe(0);
      await ask(ada, 'chat:join', { roomId: 'pushed' });
      expect(await push('one')).toBe(1);
      await ask(bob, 'chat:join', { roomId: 'pushed' });
      expect(await push('two')).toBe(2);
      // Another service, on the room's channel: a malformed message first.
      await cluster.publisher.publish(CHANNELS.room('chat:pushed'), '{broken');
      await cluster.publisher.publish(
        CHANNELS.room('chat:pushed'),
        JSON.stringify({ event: 'chat:notice', data: 'raw' }),
      );
      expect(await ada.waitFor('chat:notice', 3)).toEqual([
        'one',
        'two',
        'raw',
      ]);
      expect(await bob.waitFor('chat:notice', 2)).toEqual(['two', 'raw']);
      const dropped = cluster.instances.map(
        (instance) =>
          instance.app.get(RedisPropagatorService).getMetrics().dropped
            .not_json,
      );
      expect(
        dropped.reduce((sum, count) => sum + count, 0),
      ).toBeGreaterThanOrEqual(2);
      await expect(
        propagator.emitToRoom('r'.repeat(257), { event: 'chat:notice' }),
      ).rejects.toThrow('is longer than 256 characters');
    });
  },
);
