import { describe, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io';
import { SocketStateService } from './socket-state.service';

const socket = (id: string) => ({ id, emit: () => true }) as unknown as Socket;

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
});
