import { describe, expect, it } from '@jest/globals';
import type { Namespace, Socket } from 'socket.io';
import {
  AUTHENTICATED_ROOM,
  SocketStateService,
} from '../socket-state/socket-state.service';
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
  it('delivers to the user sockets of the namespace, except the one named', () => {
    const state = new SocketStateService();
    const received: string[] = [];
    state.add('42', fakeSocket('a', '/', received));
    state.add('42', fakeSocket('b', '/', received));
    state.add('42', fakeSocket('c', '/chat', received));
    state.add('43', fakeSocket('d', '/', received));

    new LocalDelivery(state).toUser({
      userId: '42',
      socketId: 'b',
      namespace: '/',
      event: 'e',
      data: 1,
    });

    expect(received).toEqual(['a e 1']);
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
    } as unknown as Namespace;
    state.attachServer({ _nsps: new Map([['/', nsp]]) } as never);
    const delivery = new LocalDelivery(state);

    delivery.toAll({ namespace: '/', event: 'x', data: null });
    delivery.toAuthenticated({ namespace: '/', event: 'y', data: null });
    delivery.toAll({ namespace: '/nowhere', event: 'z', data: null });

    expect(emitted).toEqual(['all x', `${AUTHENTICATED_ROOM} y`]);
  });
});
