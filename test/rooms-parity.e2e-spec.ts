import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io';
import { propagatorChannels } from '../src/lib/contract/propagator-channels';
import { waitUntil, withDeadline } from './support/deadline';
import {
  ADAPTER_SETUPS,
  connectTo,
  type IoNode,
  type RoomClient,
} from './support/io-nodes';
import { useResources } from './support/resources';

const CHANNELS = propagatorChannels();

// The Socket.IO server API across three plain Socket.IO servers, over the
// reference adapter and over ours on each transport: the same cases, the
// same answers. Node A and B hold the rooms; C holds none unless a case says.
describe.each(ADAPTER_SETUPS)(
  'the Socket.IO server API over $name',
  (setup) => {
    const resources = useResources();
    let nodes: IoNode[] = [];
    let a: IoNode;
    let b: IoNode;
    let c: IoNode;

    beforeAll(async () => {
      nodes = await setup.start(resources, 3);
      for (const node of nodes) {
        resources.forSuite(node, (n) => n.close());
        node.io.on('connection', (socket) => void onConnection(socket));
      }
      [a, b, c] = nodes;
    });

    async function onConnection(socket: Socket): Promise<void> {
      const { rooms, name } = socket.handshake.query as Record<string, string>;
      socket.data = { name };
      socket.on('relay', (room: string, payload: unknown) =>
        socket.to(room).emit('relayed', payload),
      );
      socket.on(
        'join',
        (rooms: string[], ack: (answer: { error?: string }) => void) => {
          try {
            void Promise.resolve(socket.join(rooms)).then(() => ack({}));
          } catch (error) {
            ack({ error: (error as Error).message });
          }
        },
      );
      socket.on('shout', (payload: unknown) =>
        socket.broadcast.emit('shouted', payload),
      );
      await socket.join(rooms ? rooms.split(',') : []);
      socket.emit('joined');
    }

    async function client(
      node: IoNode,
      rooms = '',
      name = '',
    ): Promise<RoomClient> {
      return resources.forTest(await connectTo(node, { rooms, name }), (x) =>
        x.socket.disconnect(),
      );
    }

    it('to(room) reaches the room on every node and no one else', async () => {
      const onA = await client(a, 'news');
      const onB = await client(b, 'news');
      const outside = await client(c);
      a.io.to('news').emit('headline', 1);
      await Promise.all([onA.waitFor('headline'), onB.waitFor('headline')]);
      // A marker to everyone, after the headline: had the outsider been sent
      // the headline, it would have come first.
      a.io.emit('marker');
      await outside.waitFor('marker');
      expect(outside.received('headline')).toEqual([]);
      expect(onB.received('headline')).toEqual([1]);
    });

    it('to(several rooms) reaches a socket in several of them once', async () => {
      const both = await client(b, 'red,blue');
      const red = await client(a, 'red');
      a.io.to(['red', 'blue']).emit('paint', 'once');
      await red.waitFor('paint');
      // The marker travels as the repeat would have: to blue only.
      a.io.to('blue').emit('marker');
      await both.waitFor('marker');
      expect(both.received('paint')).toEqual(['once']);
    });

    it('except(room) leaves out the sockets of that room on every node', async () => {
      const kept = await client(b, 'lobby');
      const left = await client(b, 'lobby,muted');
      a.io.to('lobby').except('muted').emit('notice', 'x');
      a.io.to('lobby').emit('marker');
      await Promise.all([kept.waitFor('marker'), left.waitFor('marker')]);
      expect(kept.received('notice')).toEqual(['x']);
      expect(left.received('notice')).toEqual([]);
    });

    it('socket.to(room) and socket.broadcast leave the sender out', async () => {
      const sender = await client(a, 'desk');
      const peer = await client(b, 'desk');
      const far = await client(c);
      sender.socket.emit('relay', 'desk', 'psst');
      await peer.waitFor('relayed');
      sender.socket.emit('shout', 'hey');
      await Promise.all([peer.waitFor('shouted'), far.waitFor('shouted')]);
      a.io.emit('marker');
      await sender.waitFor('marker');
      expect(sender.received('relayed')).toEqual([]);
      expect(sender.received('shouted')).toEqual([]);
      expect(peer.received('relayed')).toEqual(['psst']);
    });

    it('emit reaches the namespace, with binary data and volatile and compress', async () => {
      const clients = [await client(a), await client(b), await client(c)];
      a.io.volatile.compress(false).emit('blob', Buffer.from([1, 2, 3]));
      const received = await Promise.all(
        clients.map(async (x) => (await x.waitFor('blob'))[0]),
      );
      for (const blob of received) {
        expect(Buffer.from(blob as ArrayBuffer)).toEqual(
          Buffer.from([1, 2, 3]),
        );
      }
    });

    it('local stays on its node', async () => {
      const here = await client(a, 'local');
      const there = await client(b, 'local');
      a.io.local.to('local').emit('only-here');
      await here.waitFor('only-here');
      a.io.to('local').emit('marker');
      await there.waitFor('marker');
      expect(there.received('only-here')).toEqual([]);
    });

    it('fetchSockets answers with the sockets of every node, and acts on them', async () => {
      const one = await client(a, 'team', 'one');
      const two = await client(b, 'team', 'two');
      await client(c, 'other', 'three');
      const sockets = await c.io.in('team').fetchSockets();
      const byName = new Map(
        sockets.map((socket) => [
          (socket.data as { name: string }).name,
          socket,
        ]),
      );
      expect([...byName.keys()].sort()).toEqual(['one', 'two']);
      const remote = byName.get('two')!;
      expect(remote.id).toBe(two.socket.id);
      expect(remote.rooms).toEqual(new Set([two.socket.id, 'team']));
      expect(remote.handshake.query.name).toBe('two');
      remote.emit('direct', 'to-two');
      await two.waitFor('direct');
      remote.join('joined-later');
      await waitUntil(
        async () => (await a.io.in('joined-later').fetchSockets()).length === 1,
        'the remote socket joined',
      );
      remote.leave('team');
      await waitUntil(
        async () => (await a.io.in('team').fetchSockets()).length === 1,
        'the remote socket left',
      );
      const gone = new Promise((resolve) =>
        one.socket.once('disconnect', resolve),
      );
      byName.get('one')!.disconnect(true);
      await withDeadline(gone, 'the remote disconnect');
    });

    it('socketsJoin, socketsLeave and disconnectSockets act on every node', async () => {
      const one = await client(a, 'src');
      const two = await client(b, 'src');
      c.io.in('src').socketsJoin('dst');
      await waitUntil(
        async () => (await c.io.in('dst').fetchSockets()).length === 2,
        'both joined dst',
      );
      c.io.in('dst').socketsLeave('src');
      await waitUntil(
        async () => (await c.io.in('src').fetchSockets()).length === 0,
        'both left src',
      );
      const closed = [one, two].map(
        (x) => new Promise((resolve) => x.socket.once('disconnect', resolve)),
      );
      c.io.in('dst').disconnectSockets();
      await withDeadline(Promise.all(closed), 'both disconnected');
    });

    it('serverSideEmit reaches the other nodes, and gathers their acks', async () => {
      const heard: string[] = [];
      for (const node of nodes) {
        node.io.on(
          'ping-servers',
          (from: string, ack?: (reply: string) => void) => {
            heard.push(from);
            ack?.(`pong from ${node.url}`);
          },
        );
      }
      a.io.serverSideEmit('ping-servers', 'a');
      await waitUntil(() => heard.length === 2, 'both others heard');
      const replies = await b.io.serverSideEmitWithAck('ping-servers', 'b');
      expect((replies as string[]).sort()).toEqual(
        [`pong from ${a.url}`, `pong from ${c.url}`].sort(),
      );
      for (const node of nodes) {
        node.io.removeAllListeners('ping-servers');
      }
    });

    it('timeout().emitWithAck() gathers the acks of every node', async () => {
      const answering = [await client(a, 'poll'), await client(b, 'poll')];
      for (const [index, x] of answering.entries()) {
        x.socket.on('question', (_: unknown, ack: (reply: number) => void) =>
          ack(index),
        );
      }
      const replies = await c.io
        .to('poll')
        .timeout(3_000)
        .emitWithAck('question', 'q');
      expect((replies as number[]).sort((x, y) => x - y)).toEqual([0, 1]);
    });

    it('timeout().emitWithAck() fails in time when a client never answers', async () => {
      const silentOne = await client(b, 'quiet');
      expect(silentOne.socket.connected).toBe(true);
      await expect(
        a.io.to('quiet').timeout(500).emitWithAck('question'),
      ).rejects.toThrow('operation has timed out');
    });

    it('serverCount() counts every node', async () => {
      await expect(a.io.of('/').adapter.serverCount()).resolves.toBe(3);
    });

    it('fails fetchSockets and emitWithAck with a timeout, not a hang, when an instance stops answering', async () => {
      if (!setup.spawnNode) {
        return; // In process, no instance can stop on its own.
      }
      const frozen = resources.forTest(await setup.spawnNode(), (child) =>
        child.kill(),
      );
      const near = await client(a, 'frozen');
      near.socket.on('question', (_: unknown, ack: (reply: string) => void) =>
        ack('near'),
      );
      await client({ url: frozen.url } as IoNode, 'frozen');
      await waitUntil(
        async () => (await a.io.of('/').adapter.serverCount()) === 4,
        'the fourth node to count',
      );
      frozen.freeze();
      await expect(a.io.in('frozen').fetchSockets()).rejects.toThrow(/time/);
      await expect(
        a.io.to('frozen').timeout(1_000).emitWithAck('question', 'q'),
      ).rejects.toThrow('operation has timed out');
      await frozen.kill();
      await waitUntil(
        async () => (await a.io.of('/').adapter.serverCount()) === 3,
        'the killed node to be forgotten',
        10_000,
      );
    });

    if (setup.isOurs) {
      it('subscribes a room channel only where the room is held, until the last leave', async () => {
        const numsub = (room: string) => setup.numsub!(CHANNELS.room(room));
        const first = await client(a, 'held');
        expect(await numsub('held')).toBe(1);
        const second = await client(b, 'held');
        expect(await numsub('held')).toBe(2);
        // A socket joined and the join resolved: that node is subscribed.
        expect(a.router!.heldChannels).toBeGreaterThan(0);
        second.socket.disconnect();
        await waitUntil(async () => (await numsub('held')) === 1, 'b let go');
        first.socket.disconnect();
        await waitUntil(async () => (await numsub('held')) === 0, 'a let go');
      });

      it('refuses a room name too long for a channel, and more rooms than maxRoomsPerSocket', async () => {
        const member = await client(a);
        const join = (rooms: string[]) =>
          member.socket.timeout(5_000).emitWithAck('join', rooms) as Promise<{
            error?: string;
          }>;
        expect(await join(['x'.repeat(257)])).toEqual({
          error: `Cannot join: the room name "${'x'.repeat(32)}..." is longer than 256 characters`,
        });
        const many = Array.from({ length: 1_000 }, (_, n) => `many-${n}`);
        expect(await join(many)).toEqual({});
        const refused = await join(['one-more']);
        expect(refused.error).toMatch(
          /^Cannot join: socket \S+ would be in more than 1000 rooms \(maxRoomsPerSocket\)$/,
        );
        // Nothing of the refused join was taken.
        expect(a.io.of('/').adapter.rooms.has('one-more')).toBe(false);
      });

      it('drops malformed adapter frames, counted, and delivers the next broadcast', async () => {
        const member = await client(b, 'target');
        const before = b.dropped!();
        const channel = CHANNELS.room('target');
        const json = Buffer.from(JSON.stringify({ op: 'emit', nsp: '/' }));
        // Cut short; a well-framed operation missing its fields; bytes after it.
        await c.publishRaw!(channel, Buffer.from([0xb6, 1, 200]));
        const short = Buffer.from([0xb6, 1, 1, 0x2a, 0, 0, 0, json.length]);
        await c.publishRaw!(
          channel,
          Buffer.concat([short, json, Buffer.from([0, 0, 0, 0])]),
        );
        await c.publishRaw!(
          channel,
          Buffer.concat([short, json, Buffer.from([0, 0, 0, 0, 9])]),
        );
        c.io.to('target').emit('after', 'still delivered');
        await member.waitFor('after');
        expect(b.dropped!() - before).toBe(3);
      });
    }
  },
);
