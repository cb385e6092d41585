import { describe, expect, it } from '@jest/globals';
import type { Namespace, Socket } from 'socket.io';
import {
  AUTHENTICATED_ROOM,
  SocketStateService,
  userRoom,
} from '../socket-state/socket-state.service';
import { EventStreamRegistry } from '../socket-state/event-stream-registry';
import { LocalDelivery } from './local-delivery';

function fakeSocket(id: string, namespace: string, received: string[]) {
  return {
    id,
    connected: true,
    nsp: { name: namespace },
    join: () => undefined,
    emit: (event: string, data: unknown) =>
      received.push(`${id} ${event} ${JSON.stringify(data)}`),
  } as unknown as Socket;
}

describe('LocalDelivery', () => {
  it("broadcasts once to the user's room of the namespace, except the socket named, and not at all for a user held elsewhere", () => {
    const state = new SocketStateService();
    const emitted: string[] = [];
    const toRoom = (room: string, except: string[] = []) => ({
      except: (id: string) => toRoom(room, [...except, id]),
      emit: (event: string, data: unknown) =>
        emitted.push(
          `${room} except [${except.join()}] ${event} ${JSON.stringify(data)}`,
        ),
    });
    const nsp = {
      local: { to: (room: string) => toRoom(room) },
      adapter: { rooms: new Map([[userRoom('42'), new Set(['a', 'b'])]]) },
    };
    state.attachServer({ _nsps: new Map([['/', nsp]]) } as never);
    state.add('42', fakeSocket('a', '/', []));
    state.add('42', fakeSocket('b', '/', []));
    const delivery = new LocalDelivery(state, new EventStreamRegistry());

    const reached = [
      delivery.toUser({
        userId: '42',
        socketId: 'b',
        namespace: '/',
        event: 'e',
        data: 1,
      }),
      delivery.toUser({ userId: '42', namespace: '/', event: 'f', data: 2 }),
      delivery.toUser({
        userId: '42',
        namespace: '/chat',
        event: 'g',
        data: 3,
      }),
      delivery.toUser({ userId: '43', namespace: '/', event: 'h', data: 4 }),
    ];

    expect(reached).toEqual([1, 2, 0, 0]);
    expect(emitted).toEqual([
      `${userRoom('42')} except [b] e 1`,
      `${userRoom('42')} except [] f 2`,
    ]);
  });

  it('broadcasts once per namespace, to everyone or to the authenticated room', () => {
    const state = new SocketStateService();
    const emitted: string[] = [];
    const nsp = {
      local: {
        emit: (event: string) => emitted.push(`all ${event}`),
        to: (room: string) => ({
          emit: (event: string) => emitted.push(`${room} ${event}`),
        }),
      },
      sockets: new Map([
        ['a', {}],
        ['b', {}],
        ['c', {}],
      ]),
      adapter: { rooms: new Map([[AUTHENTICATED_ROOM, new Set(['a', 'b'])]]) },
    } as unknown as Namespace;
    state.attachServer({ _nsps: new Map([['/', nsp]]) } as never);
    const delivery = new LocalDelivery(state, new EventStreamRegistry());

    const reached = [
      delivery.toAll({ namespace: '/', event: 'x', data: null }),
      delivery.toAuthenticated({ namespace: '/', event: 'y', data: null }),
      delivery.toAll({ namespace: '/nowhere', event: 'z', data: null }),
    ];

    expect(reached).toEqual([3, 2, 0]);
    expect(emitted).toEqual(['all x', `${AUTHENTICATED_ROOM} y`]);
  });

  it('writes to the event streams a socket of the same user and namespace would get', () => {
    const streams = new EventStreamRegistry();
    const written: string[] = [];
    const stream = (name: string, userId?: string, namespace = '/') => {
      const sink = {
        userId,
        namespace,
        send: (event: string, data: unknown, id?: string) =>
          void written.push(
            `${name} ${event} ${JSON.stringify(data)} ${id ?? '-'}`,
          ),
      };
      streams.add(sink);
      return sink;
    };
    stream('user42', '42');
    stream('user43', '43');
    stream('anonymous');
    const elsewhere = stream('chat42', '42', '/chat');
    const delivery = new LocalDelivery(new SocketStateService(), streams);

    delivery.toUser({
      userId: '42',
      socketId: 's',
      namespace: '/',
      event: 'u',
      data: 1,
      id: 'i1',
    });
    delivery.toAll({ namespace: '/', event: 'a', data: 2 });
    delivery.toAuthenticated({ namespace: '/', event: 'm', data: 3 });
    streams.remove(elsewhere);

    expect(written).toEqual([
      'user42 u 1 i1',
      'user42 a 2 -',
      'user43 a 2 -',
      'anonymous a 2 -',
      'user42 m 3 -',
      'user43 m 3 -',
    ]);
    expect(streams.size).toBe(3);
  });
});
