import { describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io';
import {
  AUTHENTICATED_ROOM,
  SocketStateService,
  userRoom,
} from './socket-state.service';

const socket = (id: string) => {
  const rooms = new Set<string>();
  return {
    id,
    rooms,
    connected: true,
    emit: () => true,
    join: (joined: string | string[]) => {
      for (const room of [joined].flat()) rooms.add(room);
    },
    leave: (room: string) => void rooms.delete(room),
  } as unknown as Socket;
};

function lifecycle(state: SocketStateService) {
  const events: string[] = [];
  state.userArrived$.subscribe((userId) => events.push(`arrived ${userId}`));
  state.userLeft$.subscribe((userId) => events.push(`left ${userId}`));
  return events;
}

describe('SocketStateService', () => {
  it('keeps each user sockets, and getAll is one flat list', () => {
    const state = new SocketStateService();
    const [a, b, c] = [socket('a'), socket('b'), socket('c')];
    state.add('1', a);
    state.add('1', b);
    state.add('2', c);

    expect(state.get('1')).toEqual([a, b]);
    expect(state.get('2')).toEqual([c]);
    expect(state.getAll()).toEqual([a, b, c]);
    expect(state.getAll().every((s) => typeof s.emit === 'function')).toBe(
      true,
    );
    expect(state.userCount).toBe(2);
  });

  it('registers a socket once however often it is added', () => {
    const state = new SocketStateService();
    const a = socket('a');
    expect(state.add('1', a)).toBe(true);
    expect(state.add('1', a)).toBe(false);
    expect(state.get('1')).toEqual([a]);
  });

  it('forgets a user with no socket left', () => {
    const state = new SocketStateService();
    const a = socket('a');
    state.add('1', a);
    expect(state.remove('1', a)).toBe(true);
    expect(state.remove('1', a)).toBe(false);
    expect(state.get('1')).toEqual([]);
    expect(state.getAll()).toEqual([]);
    expect(state.userCount).toBe(0);
  });

  it('returns a copy, so callers cannot change the registry', () => {
    const state = new SocketStateService();
    state.add('1', socket('a'));
    state.get('1').pop();
    expect(state.get('1')).toHaveLength(1);
  });

  it('finds only namespaces that exist, and creates none', () => {
    const state = new SocketStateService();
    const nsps = new Map([['/', { name: '/' }]]);
    state.attachServer({ _nsps: nsps } as never);
    expect(state.namespaces('/')).toEqual([{ name: '/' }]);
    expect(state.namespaces('/missing')).toEqual([]);
    expect(nsps.size).toBe(1);
  });

  it('announces a user when the first socket arrives and when the last one leaves', () => {
    const state = new SocketStateService();
    const events = lifecycle(state);
    const [a, b, c] = [socket('a'), socket('b'), socket('c')];

    state.add('1', a);
    state.add('1', b);
    state.add('1', b);
    state.add('2', c);
    expect(events).toEqual(['arrived 1', 'arrived 2']);

    state.remove('1', a);
    expect(events).toEqual(['arrived 1', 'arrived 2']);
    state.remove('1', b);
    state.remove('1', b);
    expect(events).toEqual(['arrived 1', 'arrived 2', 'left 1']);

    state.add('1', a);
    expect(events).toEqual(['arrived 1', 'arrived 2', 'left 1', 'arrived 1']);
  });

  it("puts registered sockets in the authenticated room and their user's room, and takes them out", () => {
    const state = new SocketStateService();
    const a = socket('a');

    state.add('1', a);
    expect([...a.rooms]).toEqual([AUTHENTICATED_ROOM, userRoom('1')]);
    state.remove('1', a);
    expect([...a.rooms]).toEqual([]);
  });

  it('tells whether a user has a socket here, other than one named', () => {
    const state = new SocketStateService();
    state.add('1', socket('a'));

    expect(state.has('1')).toBe(true);
    expect(state.has('1', 'a')).toBe(false);
    expect(state.has('1', 'b')).toBe(true);
    expect(state.has('2')).toBe(false);
    state.add('1', socket('b'));
    expect(state.has('1', 'a')).toBe(true);
  });

  it('completes its announcements when the module is destroyed', () => {
    const state = new SocketStateService();
    let completed = 0;
    state.userArrived$.subscribe({ complete: () => (completed += 1) });
    state.userLeft$.subscribe({ complete: () => (completed += 1) });

    state.onModuleDestroy();
    expect(completed).toBe(2);
  });
});
