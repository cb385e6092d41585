import {
  Adapter,
  type BroadcastOptions,
  type Room,
  type SocketId,
} from 'socket.io-adapter';
import type { Namespace, Socket } from 'socket.io';
import type {
  AdapterOperation,
  EmitOperation,
  SocketDetails,
  Target,
} from './adapter-operation';
import { roomNameProblem } from '../contract/propagator-message.parser';
import { isLibraryRoom } from './room-names';
import type { LocalNamespace, RoomRouter } from './room-router';

type Packet = { type: number; data: unknown[]; nsp?: string; id?: number };

/**
 * The Socket.IO adapter of one namespace: Socket.IO's in-memory adapter for
 * this instance's sockets, and a {@link RoomRouter} for the others'. Each
 * room this namespace holds keeps its channel subscribed, from the first
 * socket that joins (the join resolves once the channel is) to the last
 * that leaves.
 */
export class RoomAdapter extends Adapter implements LocalNamespace {
  declare readonly nsp: Namespace;
  readonly name: string;

  constructor(
    nsp: Namespace,
    private readonly router: RoomRouter,
  ) {
    super(nsp);
    this.name = nsp.name;
    this.on('create-room', (room: Room) => {
      const channel = router.channelOf(room);
      if (channel !== undefined) {
        router.hold(channel);
      }
    });
    this.on('delete-room', (room: Room) => {
      const channel = router.channelOf(room);
      if (channel !== undefined) {
        router.release(channel);
      }
    });
  }

  override init(): void {
    this.router.attach(this);
  }

  override close(): void {
    for (const room of this.rooms.keys()) {
      const channel = this.router.channelOf(room);
      if (channel !== undefined) {
        this.router.release(channel);
      }
    }
    this.rooms.clear();
    this.sids.clear();
    this.router.detach(this);
  }

  override serverCount(): Promise<number> {
    return Promise.resolve(this.router.serverCount());
  }

  /**
   * Joins, once every room name is fit to be a channel and the socket stays
   * within `maxRoomsPerSocket`; otherwise throws a TypeError or RangeError
   * that says why, and joins none of them. Resolves once the rooms'
   * channels are subscribed.
   */
  override addAll(id: SocketId, rooms: Set<Room>): Promise<void> | void {
    // Rooms the socket is in already cost nothing: no check, no wait.
    const held = this.sids.get(id);
    const channels: string[] = [];
    let joining = 0;
    for (const room of rooms) {
      if (room === id || held?.has(room)) {
        continue;
      }
      if (!isLibraryRoom(room)) {
        joining += 1;
      }
      const channel = this.router.channelOf(room);
      if (channel !== undefined) {
        const problem = roomNameProblem(room);
        if (problem !== undefined) {
          throw new TypeError(`Cannot join: ${problem}`);
        }
        channels.push(channel);
      }
    }
    const limit = this.router.maxRoomsPerSocket;
    if (appRoomCount(id, held, limit - joining) + joining > limit) {
      this.router.countRoomRefused();
      throw new RangeError(
        `Cannot join: socket ${id} would be in more than ${limit} rooms (maxRoomsPerSocket)`,
      );
    }
    void super.addAll(id, rooms);
    if (channels.length > 0) {
      return this.router.whenActive(channels).then(() => undefined);
    }
  }

  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    if (opts.flags?.local) {
      super.broadcast(packet, opts);
      return;
    }
    this.router.publish(this.emitOperation(packet, opts));
    this.broadcastCounted(packet, opts);
  }

  override broadcastWithAck(
    packet: Packet,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void {
    // Socket.IO waits for as many counts as serverCount() says, which it
    // asks right after this call: read the same number now, and give that
    // many counts, the first with every client, the rest zero.
    const servers = this.router.serverCount();
    const operation = this.emitOperation(packet, opts);
    let local = 0;
    super.broadcastWithAck(packet, opts, (count) => (local = count), ack);
    if (!opts.flags?.local) {
      this.router.countDelivered(opts.rooms, local);
    }
    const report = (remote: number) => {
      clientCountCallback(local + remote);
      for (let server = 1; server < servers; server += 1) {
        clientCountCallback(0);
      }
    };
    if (opts.flags?.local) {
      report(0);
      return;
    }
    this.router.emitWithAck(
      operation,
      opts.flags?.timeout ?? 5_000,
      (data) => ack(...data),
      report,
    );
  }

  override async fetchSockets(opts: BroadcastOptions): Promise<unknown[]> {
    const remote = opts.flags?.local
      ? Promise.resolve([])
      : this.router.fetch(this.target(opts), opts.flags?.timeout);
    const local = (await super.fetchSockets(opts)) as Socket[];
    const ids = new Set(local.map((socket) => socket.id));
    const others = (await remote).filter(
      (socket) => !ids.has(socket.id) && ids.add(socket.id),
    );
    return [...local, ...others];
  }

  override addSockets(opts: BroadcastOptions, rooms: Room[]): void {
    if (!opts.flags?.local) {
      this.router.publish({ op: 'join', ...this.target(opts), targets: rooms });
    }
    super.addSockets(opts, rooms);
  }

  override delSockets(opts: BroadcastOptions, rooms: Room[]): void {
    if (!opts.flags?.local) {
      this.router.publish({
        op: 'leave',
        ...this.target(opts),
        targets: rooms,
      });
    }
    super.delSockets(opts, rooms);
  }

  override disconnectSockets(opts: BroadcastOptions, close: boolean): void {
    if (!opts.flags?.local) {
      this.router.publish({ op: 'disconnect', ...this.target(opts), close });
    }
    super.disconnectSockets(opts, close);
  }

  override serverSideEmit(packet: unknown[]): void {
    const last = packet[packet.length - 1];
    if (typeof last !== 'function') {
      this.router.serverSideEmit(this.name, packet);
      return;
    }
    this.router.serverSideEmit(
      this.name,
      packet.slice(0, -1),
      last as (error: Error | null, responses: unknown[]) => void,
    );
  }

  // What the router asks of this namespace, for operations of other instances.

  deliver({ type, data, flags, ...target }: EmitOperation): void {
    this.broadcastCounted({ type, data }, this.options(target, flags));
  }

  applyOperation(operation: Extract<AdapterOperation, Target>): void {
    const opts = this.options(operation);
    switch (operation.op) {
      case 'join':
        super.addSockets(opts, [...operation.targets]);
        return;
      case 'leave':
        super.delSockets(opts, [...operation.targets]);
        return;
      case 'disconnect':
        super.disconnectSockets(opts, operation.close);
        return;
    }
  }

  async details(target: Target): Promise<SocketDetails[]> {
    const sockets = (await super.fetchSockets(
      this.options(target),
    )) as Socket[];
    return sockets.map((socket) => ({
      id: socket.id,
      handshake: socket.handshake,
      rooms: [...socket.rooms],
      data: socket.data as unknown,
    }));
  }

  emitWithAck(
    { type, data, flags, ...target }: EmitOperation,
    onAck: (data: unknown[]) => void,
  ): number {
    let count = 0;
    const opts = this.options(target, flags);
    super.broadcastWithAck(
      { type, data },
      opts,
      (clients) => (count = clients),
      (...args: unknown[]) => onAck(args),
    );
    this.router.countDelivered(opts.rooms, count);
    return count;
  }

  receiveServerSideEmit(
    data: unknown[],
    onAck?: (response: unknown) => void,
  ): void {
    this.nsp._onServerSideEmit(
      (onAck ? [...data, onAck] : data) as [string, ...unknown[]],
    );
  }

  private broadcastCounted(packet: Packet, opts: BroadcastOptions): void {
    super.broadcast(packet, opts);
    this.router.countDelivered(opts.rooms, this.reach(opts));
  }

  /**
   * How many of this namespace's sockets a broadcast reaches, counted as
   * the in-memory adapter picks them: in any of the rooms (or anywhere, for
   * none), and in none of the excepted ones.
   */
  private reach({ rooms, except }: BroadcastOptions): number {
    if (rooms.size === 1 && !except?.size) {
      const [room] = rooms;
      return this.rooms.get(room)?.size ?? 0;
    }
    const excluded = new Set<SocketId>();
    for (const room of except ?? []) {
      for (const id of this.rooms.get(room) ?? []) {
        excluded.add(id);
      }
    }
    if (rooms.size === 0) {
      let count = this.sids.size;
      for (const id of excluded) {
        count -= this.sids.has(id) ? 1 : 0;
      }
      return count;
    }
    const reached = new Set<SocketId>();
    for (const room of rooms) {
      for (const id of this.rooms.get(room) ?? []) {
        if (!excluded.has(id)) {
          reached.add(id);
        }
      }
    }
    return reached.size;
  }

  private emitOperation(packet: Packet, opts: BroadcastOptions): EmitOperation {
    const { volatile, compress } = opts.flags ?? {};
    return {
      op: 'emit',
      ...this.target(opts),
      type: packet.type,
      data: packet.data,
      ...((volatile || compress) && { flags: { volatile, compress } }),
    };
  }

  private target({ rooms, except }: BroadcastOptions): Target {
    return { nsp: this.name, rooms: [...rooms], except: [...(except ?? [])] };
  }

  private options(
    { rooms, except }: Pick<Target, 'rooms' | 'except'>,
    flags?: EmitOperation['flags'],
  ): BroadcastOptions {
    return { rooms: new Set(rooms), except: new Set(except), flags };
  }
}

/** The adapter class to give Socket.IO (the `adapter` server option). */
export function roomAdapterFor(router: RoomRouter): typeof Adapter {
  return class extends RoomAdapter {
    constructor(nsp: Namespace) {
      super(nsp, router);
    }
  };
}

/**
 * The app's rooms among those a socket is in: not its own, nor the
 * library's. While it is in no more than `atMost` rooms in all, that total
 * is returned instead, without a scan: the count can only be lower, and is
 * within the limit either way.
 */
function appRoomCount(
  id: SocketId,
  held: ReadonlySet<Room> | undefined,
  atMost: number,
): number {
  if (held === undefined || held.size <= atMost) {
    return held?.size ?? 0;
  }
  let count = 0;
  for (const room of held) {
    if (room !== id && !isLibraryRoom(room)) {
      count += 1;
    }
  }
  return count;
}
