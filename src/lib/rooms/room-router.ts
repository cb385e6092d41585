import type { PropagatorChannels } from '../contract/propagator-channels';
import {
  decodeFrame,
  encodeFrame,
  isAdapterFrame,
  isFrom,
} from '../contract/propagator-frame';
import {
  type AdapterOperation,
  type AnswerOperation,
  checkOperation,
  type EmitOperation,
  type RequestOperation,
  type SocketDetails,
  type Target,
} from './adapter-operation';
import { ChannelHolds } from './channel-holds';
import { InstanceHeartbeats } from './instance-heartbeats';
import { PendingRequests, type RequestHandlers } from './pending-requests';
import type { RoomBus } from './room-bus.interface';
import {
  AUTHENTICATED_ROOM,
  isSocketRoom,
  USER_ROOM_PREFIX,
} from './room-names';
import { SeenIds } from './seen-ids';

/** What a namespace adapter does for the router: act on its own sockets. */
export interface LocalNamespace {
  readonly name: string;
  deliver(operation: EmitOperation): void;
  applyOperation(operation: Extract<AdapterOperation, Target>): void;
  details(target: Target): Promise<SocketDetails[]>;
  emitWithAck(
    operation: EmitOperation,
    onAck: (data: unknown[]) => void,
  ): number;
  receiveServerSideEmit(
    data: unknown[],
    onAck?: (response: unknown) => void,
  ): void;
}

/** Where the router reports what it cannot do. */
export interface RouterLog {
  warn(key: string, message: string): void;
  error(key: string, message: string): void;
}

export interface RoomRouterOptions {
  readonly channels: PropagatorChannels;
  /** This instance's id; frames it published come back and are skipped. */
  readonly origin: Buffer;
  /** How long `fetchSockets` and `serverSideEmit` wait for answers. @default 5_000 */
  readonly requestTimeoutMs?: number;
  /** How often instances say they are alive. @default 5_000 */
  readonly heartbeatMs?: number;
  readonly log: RouterLog;
  /** Messages of held channels that are not adapter frames: the contract's pushes. */
  readonly onMessage?: (channel: string, raw: Buffer) => void;
  /** Called with each adapter frame dropped as malformed. */
  readonly onDropped?: () => void;
  /**
   * How many rooms a socket may be in, besides its own and the library's
   * (its user's and the authenticated room). @default 1_000
   */
  readonly maxRoomsPerSocket?: number;
  /** Called with each join refused by `maxRoomsPerSocket`. */
  readonly onRoomRefused?: () => void;
  /**
   * Called with each Socket.IO broadcast of this instance's sockets, the
   * local part of one sent here as well as one from another instance:
   * `room` when it names rooms, `namespace` when it goes to the whole
   * namespace, and how many sockets it reached. `.local` broadcasts, which
   * the contract's deliveries use and count themselves, are not reported.
   */
  readonly onDelivered?: (kind: 'room' | 'namespace', sockets: number) => void;
}

/**
 * Carries the namespace adapters' operations between instances, one router
 * per instance. A room's channel is subscribed while some namespace here
 * holds the room, so a broadcast to a room reaches exactly the instances
 * that hold it, and a request there learns from PUBLISH's reply how many
 * answers to wait for. What no room narrows (the whole namespace, socket
 * ids, `serverSideEmit`) goes through the namespace's channel.
 */
export class RoomRouter {
  readonly uid: string;
  readonly maxRoomsPerSocket: number;
  private readonly channels: PropagatorChannels;
  private readonly origin: Buffer;
  private readonly log: RouterLog;
  private readonly requestTimeoutMs: number;
  private readonly namespaces = new Map<string, Set<LocalNamespace>>();
  private readonly holds: ChannelHolds;
  private readonly requests: PendingRequests;
  private readonly heartbeats: InstanceHeartbeats;
  private readonly seen = new SeenIds();
  private readonly stops: (() => void)[] = [];
  private broadcasts = 0;

  constructor(
    private readonly bus: RoomBus,
    private readonly options: RoomRouterOptions,
  ) {
    this.channels = options.channels;
    this.origin = options.origin;
    this.log = options.log;
    this.uid = options.origin.toString('hex');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.maxRoomsPerSocket = options.maxRoomsPerSocket ?? 1_000;
    this.holds = new ChannelHolds(bus, (channel, raw) =>
      this.receive(channel, raw),
    );
    this.requests = new PendingRequests(this.uid);
    this.heartbeats = new InstanceHeartbeats(
      this.uid,
      options.heartbeatMs ?? 5_000,
      (op) => this.send([this.channels.instances], { op, uid: this.uid }),
    );
  }

  onModuleInit(): void {
    this.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  /** Subscribes the heartbeats and the reply channel, and says hello. */
  start(): void {
    this.bus.listenUnclaimed((channel, raw) =>
      this.receiveUnclaimed(channel, raw),
    );
    for (const channel of [
      this.channels.instances,
      this.channels.reply(this.uid),
    ]) {
      this.stops.push(
        this.bus.listen(channel, (raw) => this.receive(channel, raw)),
      );
    }
    this.heartbeats.start();
  }

  /**
   * Says goodbye, fails what waits for answers, and lets go of every
   * channel. Resolves once the goodbye is published (or could not be).
   */
  async stop(): Promise<void> {
    const goodbye = this.heartbeats.stop();
    this.requests.close();
    this.holds.clear();
    for (const stop of this.stops.splice(0)) {
      stop();
    }
    await goodbye;
  }

  /**
   * The channel of a room, or undefined for a room that the namespace
   * channel reaches instead: a socket's own, and the authenticated room,
   * which every instance holds.
   */
  channelOf(room: string): string | undefined {
    if (room.startsWith(USER_ROOM_PREFIX)) {
      return this.channels.user(room.slice(USER_ROOM_PREFIX.length));
    }
    return isSocketRoom(room) || room === AUTHENTICATED_ROOM
      ? undefined
      : this.channels.room(room);
  }

  /** The instances alive, this one included (see InstanceHeartbeats). */
  serverCount(): number {
    return this.heartbeats.count;
  }

  countRoomRefused(): void {
    this.options.onRoomRefused?.();
  }

  countDelivered(rooms: ReadonlySet<string>, sockets: number): void {
    if (sockets > 0) {
      this.options.onDelivered?.(
        rooms.size > 0 ? 'room' : 'namespace',
        sockets,
      );
    }
  }

  /** How many channels this instance holds for rooms, users and streams. */
  get heldChannels(): number {
    return this.holds.size;
  }

  attach(nsp: LocalNamespace): void {
    let named = this.namespaces.get(nsp.name);
    if (!named) {
      named = new Set();
      this.namespaces.set(nsp.name, named);
      this.holds.hold(this.channels.namespace(nsp.name));
    }
    named.add(nsp);
  }

  detach(nsp: LocalNamespace): void {
    const named = this.namespaces.get(nsp.name);
    if (named?.delete(nsp) && named.size === 0) {
      this.namespaces.delete(nsp.name);
      this.holds.release(this.channels.namespace(nsp.name));
    }
  }

  /**
   * Holds a user's channel for a listener that is not a socket (an event
   * stream): `ready` resolves once it is subscribed (see whenActive), and
   * `release` gives it back, once however often it is called.
   */
  holdUser(userId: string): { ready: Promise<boolean>; release: () => void } {
    const channel = this.channels.user(userId);
    this.holds.hold(channel);
    let isReleased = false;
    return {
      ready: this.holds.whenActive(channel),
      release: () => {
        if (!isReleased) {
          isReleased = true;
          this.holds.release(channel);
        }
      },
    };
  }

  /** How many users' own channels this instance holds. */
  get userChannels(): number {
    return this.holds.countStartingWith(this.channels.userPrefix);
  }

  /** Holds a channel (a room's, a user's) until {@link release}. */
  hold(channel: string): void {
    this.holds.hold(channel);
  }

  release(channel: string): void {
    this.holds.release(channel);
  }

  /** Resolves once every channel is subscribed (bounded: see ChannelHolds). */
  async whenActive(channels: readonly string[]): Promise<boolean> {
    const active = await Promise.all(
      channels.map((channel) => this.holds.whenActive(channel)),
    );
    return active.every(Boolean);
  }

  /** Sends an operation that expects no answer to the instances concerned. */
  publish(
    operation: Exclude<AdapterOperation, RequestOperation | AnswerOperation>,
  ): void {
    const channels = this.channelsFor(operation as Target);
    void this.send(channels, this.withBroadcastId(operation, channels));
  }

  /** `fetchSockets` beyond this instance: the sockets of the others. */
  fetch(target: Target, timeoutMs?: number): Promise<SocketDetails[]> {
    const wait = timeoutMs ?? this.requestTimeoutMs;
    return new Promise((resolve, reject) => {
      const found: SocketDetails[] = [];
      const rid = this.requests.open(wait, {
        onAnswer: (answer) => found.push(...socketDetails(answer?.data)),
        onComplete: () => {
          this.requests.finish(rid);
          resolve(found);
        },
        onTimeout: (answered, expected) =>
          reject(
            new Error(
              `fetchSockets timed out after ${wait} ms: ${answered} of ${expected ?? 'an unknown number of'} instances answered`,
            ),
          ),
      });
      this.request({ op: 'fetch', ...target, rid, from: this.uid }, (error) => {
        this.requests.finish(rid);
        reject(error);
      });
    });
  }

  /**
   * `emitWithAck` beyond this instance. `report` gets how many remote
   * sockets will acknowledge once every instance concerned has said; each
   * acknowledgement goes to `onAck`. When an instance never answers, report
   * is not called and the caller's own timeout ends the wait.
   */
  emitWithAck(
    operation: EmitOperation,
    timeoutMs: number,
    onAck: (data: unknown[]) => void,
    report: (remoteCount: number) => void,
  ): void {
    let expected = 0;
    let acks = 0;
    let reported = false;
    const rid = this.requests.open(timeoutMs, {
      onAnswer: (answer) => {
        expected += answer?.count ?? 0;
      },
      onAck: (data) => {
        acks += 1;
        onAck(data);
        if (reported && acks >= expected) {
          this.requests.finish(rid);
        }
      },
      onComplete: () => {
        reported = true;
        report(expected);
        if (acks >= expected) {
          this.requests.finish(rid);
        }
      },
      onTimeout: () => undefined,
    });
    // An instance that could not be reached gets nothing to acknowledge.
    this.request({ ...operation, op: 'ack-emit', rid, from: this.uid });
  }

  /** `serverSideEmit`: to every other instance that serves the namespace. */
  serverSideEmit(
    nsp: string,
    data: unknown[],
    ack?: (error: Error | null, responses: unknown[]) => void,
  ): void {
    if (!ack) {
      void this.send([this.channels.namespace(nsp)], {
        op: 'server-emit',
        nsp,
        data,
      });
      return;
    }
    const responses: unknown[] = [];
    const handlers: RequestHandlers = {
      onAnswer: (answer) => {
        if (answer && Array.isArray(answer.data)) {
          responses.push(answer.data[0]);
        }
      },
      onComplete: () => {
        this.requests.finish(rid);
        ack(null, responses);
      },
      onTimeout: (answered, expected) =>
        ack(
          new Error(
            `serverSideEmit timed out after ${this.requestTimeoutMs} ms: ${answered} of ${expected ?? 'an unknown number of'} instances answered`,
          ),
          responses,
        ),
    };
    const rid = this.requests.open(this.requestTimeoutMs, handlers);
    this.request({ op: 'server-emit', nsp, data, rid, from: this.uid });
  }

  private channelsFor(target: Target): string[] {
    const channels = new Set<string>();
    for (const room of target.rooms) {
      const channel = this.channelOf(room);
      if (channel === undefined) {
        // A socket's room: only the namespace channel reaches it, and it
        // reaches the holders of the other rooms too.
        return [this.channels.namespace(target.nsp)];
      }
      channels.add(channel);
    }
    return channels.size > 0
      ? [...channels]
      : [this.channels.namespace(target.nsp)];
  }

  private withBroadcastId<T extends object>(
    operation: T,
    channels: string[],
  ): T {
    if (channels.length < 2) {
      return operation;
    }
    this.broadcasts += 1;
    return { ...operation, bid: `${this.uid}:${this.broadcasts}` };
  }

  private request(
    operation: RequestOperation,
    onPublishError?: (error: Error) => void,
  ): void {
    const channels =
      operation.op === 'server-emit'
        ? [this.channels.namespace(operation.nsp)]
        : this.channelsFor(operation);
    const frame = this.encode(this.withBroadcastId(operation, channels));
    const rid = operation.rid as string;
    if (!frame) {
      onPublishError?.(new TypeError('the request cannot be encoded'));
      this.requests.finish(rid);
      return;
    }
    let failure: Error | undefined;
    void Promise.all(
      channels.map((channel) =>
        this.bus.publish(channel, frame).catch((error: Error) => {
          failure = error;
          return 0;
        }),
      ),
    ).then((counts) => {
      if (failure && onPublishError) {
        onPublishError(failure);
        return;
      }
      this.requests.expect(
        rid,
        counts.reduce((sum, count) => sum + count, 0),
      );
    }, onPublishError);
  }

  /** Publishes; resolves when every publish has settled. Never rejects. */
  private async send(
    channels: readonly string[],
    operation: AdapterOperation,
  ): Promise<void> {
    const frame = this.encode(operation);
    if (!frame) {
      return;
    }
    await Promise.all(
      channels.map((channel) =>
        this.bus.publish(channel, frame).then(
          () => undefined,
          (error: Error) =>
            this.log.error(
              'publish',
              `Could not publish an adapter "${operation.op}" on ${channel}: ${error.message}`,
            ),
        ),
      ),
    );
  }

  private encode(operation: AdapterOperation): Buffer | undefined {
    try {
      return encodeFrame(operation, this.origin, 'adapter');
    } catch (error) {
      this.log.error(
        'encode',
        `Could not encode an adapter "${operation.op}": ${(error as Error).message}`,
      );
      return undefined;
    }
  }

  /**
   * A request on a channel let go of since it was published still gets an
   * answer, empty: PUBLISH counted this instance.
   */
  private receiveUnclaimed(channel: string, raw: Buffer): void {
    if (!isAdapterFrame(raw) || isFrom(raw, this.origin)) {
      return;
    }
    const operation = this.decode(channel, raw);
    if (operation && 'from' in operation && operation.from && operation.rid) {
      const empty = operation.op === 'fetch' ? { data: [] } : { count: 0 };
      this.answer(operation.from, {
        op: 'answer',
        rid: operation.rid,
        ...empty,
      });
    }
  }

  private receive(channel: string, raw: Buffer): void {
    if (!isAdapterFrame(raw)) {
      this.options.onMessage?.(channel, raw);
      return;
    }
    const isOwn = isFrom(raw, this.origin);
    // Own frames come back from every channel held here. Only a request
    // needs them: each receipt is an answer PUBLISH counted.
    if (isOwn && this.requests.size === 0) {
      return;
    }
    const operation = this.decode(channel, raw);
    if (!operation) {
      return;
    }
    if (isOwn) {
      if (
        'rid' in operation &&
        operation.rid !== undefined &&
        'from' in operation
      ) {
        this.requests.answer(operation.rid, undefined);
      }
      return;
    }
    this.handle(operation).catch((error: Error) =>
      this.log.error(
        `handle:${channel}`,
        `Could not handle an adapter "${operation.op}" of ${channel}: ${error.message}`,
      ),
    );
  }

  /** The operation of a frame; undefined, logged and counted, if malformed. */
  private decode(channel: string, raw: Buffer): AdapterOperation | undefined {
    try {
      return checkOperation(decodeFrame(raw));
    } catch (error) {
      this.options.onDropped?.();
      this.log.warn(
        `dropped:${channel}`,
        `Dropped an adapter frame on ${channel}: ${(error as Error).message}`,
      );
      return undefined;
    }
  }

  private async handle(operation: AdapterOperation): Promise<void> {
    switch (operation.op) {
      case 'hello':
      case 'alive':
      case 'gone':
        this.heartbeats.receive(operation);
        return;
      case 'answer':
        this.requests.answer(operation.rid, operation);
        return;
      case 'ack':
        this.requests.ack(operation.rid, operation.data);
        return;
      case 'server-emit':
        this.onServerSideEmit(operation);
        return;
    }
    const isRepeat =
      operation.bid !== undefined && !this.seen.add(operation.bid);
    const local = isRepeat
      ? []
      : [...(this.namespaces.get(operation.nsp) ?? [])];
    switch (operation.op) {
      case 'emit':
        for (const nsp of local) {
          nsp.deliver(operation);
        }
        return;
      case 'join':
      case 'leave':
      case 'disconnect':
        for (const nsp of local) {
          nsp.applyOperation(operation);
        }
        return;
      case 'fetch': {
        const found = await Promise.all(
          local.map((nsp) => nsp.details(operation)),
        );
        this.answer(operation.from, {
          op: 'answer',
          rid: operation.rid,
          data: found.flat(),
        });
        return;
      }
      case 'ack-emit': {
        const { rid, from } = operation;
        const emit: EmitOperation = { ...operation, op: 'emit' };
        let count = 0;
        for (const nsp of local) {
          count += nsp.emitWithAck(emit, (data) =>
            this.answer(from, { op: 'ack', rid, data }),
          );
        }
        this.answer(from, { op: 'answer', rid, count });
      }
    }
  }

  private onServerSideEmit(
    operation: Extract<AdapterOperation, { op: 'server-emit' }>,
  ): void {
    const { rid, from, nsp, data } = operation;
    // Several servers of one instance may serve the namespace: the first answers.
    const [first] = this.namespaces.get(nsp) ?? [];
    if (rid === undefined || from === undefined) {
      first?.receiveServerSideEmit(data);
      return;
    }
    if (!first) {
      this.answer(from, { op: 'answer', rid, count: 0 });
      return;
    }
    let answered = false;
    first.receiveServerSideEmit(data, (response) => {
      if (!answered) {
        answered = true;
        this.answer(from, { op: 'answer', rid, data: [response] });
      }
    });
  }

  private answer(to: string, operation: AdapterOperation): void {
    void this.send([this.channels.reply(to)], operation);
  }
}

/** The well-formed sockets of an answer to `fetch`. */
function socketDetails(data: unknown): SocketDetails[] {
  if (!Array.isArray(data)) {
    return [];
  }
  return data.filter(
    (entry): entry is SocketDetails =>
      typeof entry === 'object' &&
      entry !== null &&
      typeof (entry as { id?: unknown }).id === 'string' &&
      Array.isArray((entry as { rooms?: unknown }).rooms),
  );
}
