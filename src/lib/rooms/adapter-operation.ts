// What the namespace adapters of the instances say to each other, in
// adapter frames (see contract/propagator-frame.ts). Binary values travel
// only under `data`, the one field the frame searches for them.

/** Which sockets an operation is for, as Socket.IO's BroadcastOptions say. */
export interface Target {
  /** The namespace's name, e.g. `/` or `/chat`. */
  readonly nsp: string;
  /** Sockets in any of these rooms; none: the whole namespace. */
  readonly rooms: readonly string[];
  /** Minus the sockets in any of these rooms. */
  readonly except: readonly string[];
  /**
   * The operation's id, when it went to several channels: an instance that
   * receives it twice acts once.
   */
  readonly bid?: string;
}

/** Packet flags that travel with an emit. */
export interface EmitFlags {
  readonly volatile?: boolean;
  readonly compress?: boolean;
}

/** A broadcast: `to(...).emit(...)`. */
export interface EmitOperation extends Target {
  readonly op: 'emit';
  /** The Socket.IO packet type (EVENT or BINARY_EVENT). */
  readonly type: number;
  /** The event name and its arguments. */
  readonly data: unknown[];
  readonly flags?: EmitFlags;
}

/** A broadcast whose every recipient acknowledges: `timeout(ms).emitWithAck(...)`. */
export interface AckEmitOperation extends Omit<EmitOperation, 'op'> {
  readonly op: 'ack-emit';
  /** The request's id, for the answers. */
  readonly rid: string;
  /** The requesting instance, whose reply channel gets the answers. */
  readonly from: string;
}

/** `socketsJoin` and `socketsLeave`. */
export interface RoomsOperation extends Target {
  readonly op: 'join' | 'leave';
  readonly targets: readonly string[];
}

/** `disconnectSockets`. */
export interface DisconnectOperation extends Target {
  readonly op: 'disconnect';
  readonly close: boolean;
}

/** `fetchSockets`. */
export interface FetchOperation extends Target {
  readonly op: 'fetch';
  readonly rid: string;
  readonly from: string;
}

/** `serverSideEmit`, with `rid` and `from` when it expects acknowledgements. */
export interface ServerEmitOperation {
  readonly op: 'server-emit';
  readonly nsp: string;
  readonly data: unknown[];
  readonly rid?: string;
  readonly from?: string;
}

/** What a socket looks like from another instance (`RemoteSocket`). */
export interface SocketDetails {
  readonly id: string;
  readonly handshake: unknown;
  readonly rooms: string[];
  readonly data: unknown;
}

/**
 * One instance's answer to one receipt of a request: how many sockets will
 * acknowledge (`ack-emit`), the sockets (`fetch`), or the acknowledgement of
 * a server (`server-emit`). An instance answers every receipt, with nothing
 * for a repeat, so that the requester knows how many answers to wait for
 * from PUBLISH's replies.
 */
export interface AnswerOperation {
  readonly op: 'answer';
  readonly rid: string;
  readonly count?: number;
  readonly data?: unknown;
}

/** One socket's acknowledgement of an `ack-emit`. */
export interface AckOperation {
  readonly op: 'ack';
  readonly rid: string;
  readonly data: unknown[];
}

/** Heartbeats: an instance starts, is alive, or stops. */
export interface InstanceOperation {
  readonly op: 'hello' | 'alive' | 'gone';
  readonly uid: string;
}

export type RequestOperation =
  AckEmitOperation | FetchOperation | ServerEmitOperation;

export type AdapterOperation =
  | EmitOperation
  | RoomsOperation
  | DisconnectOperation
  | RequestOperation
  | AnswerOperation
  | AckOperation
  | InstanceOperation;

const TARGETED = new Set([
  'emit',
  'ack-emit',
  'join',
  'leave',
  'disconnect',
  'fetch',
]);

/**
 * Checks the shape of a decoded operation, enough that handling it cannot
 * throw on a missing field. Throws a TypeError that says what is wrong.
 */
export function checkOperation(value: unknown): AdapterOperation {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError('an operation is not an object');
  }
  const operation = value as Record<string, unknown>;
  const { op } = operation;
  if (typeof op !== 'string') {
    throw new TypeError('"op" is not a string');
  }
  if (TARGETED.has(op)) {
    expect(typeof operation.nsp === 'string', 'nsp', 'a string');
    expect(isStrings(operation.rooms), 'rooms', 'a list of strings');
    expect(isStrings(operation.except), 'except', 'a list of strings');
    expect(optional(operation.bid, 'string'), 'bid', 'a string');
  }
  switch (op) {
    case 'emit':
    case 'ack-emit':
      expect(Number.isInteger(operation.type), 'type', 'an integer');
      expect(Array.isArray(operation.data), 'data', 'a list');
      break;
    case 'join':
    case 'leave':
      expect(isStrings(operation.targets), 'targets', 'a list of strings');
      break;
    case 'disconnect':
      expect(typeof operation.close === 'boolean', 'close', 'a boolean');
      break;
    case 'fetch':
      break;
    case 'server-emit':
      expect(typeof operation.nsp === 'string', 'nsp', 'a string');
      expect(Array.isArray(operation.data), 'data', 'a list');
      break;
    case 'answer':
      expect(optional(operation.count, 'number'), 'count', 'a number');
      break;
    case 'ack':
      expect(Array.isArray(operation.data), 'data', 'a list');
      break;
    case 'hello':
    case 'alive':
    case 'gone':
      expect(typeof operation.uid === 'string', 'uid', 'a string');
      return operation as unknown as AdapterOperation;
    default:
      throw new TypeError(
        `"op" is "${op.slice(0, 40)}", which no adapter does`,
      );
  }
  if (op === 'ack-emit' || op === 'fetch' || op === 'answer' || op === 'ack') {
    expect(typeof operation.rid === 'string', 'rid', 'a string');
  }
  if (op === 'ack-emit' || op === 'fetch') {
    expect(typeof operation.from === 'string', 'from', 'a string');
  }
  if (op === 'server-emit') {
    expect(optional(operation.rid, 'string'), 'rid', 'a string');
    expect(optional(operation.from, 'string'), 'from', 'a string');
  }
  return operation as unknown as AdapterOperation;
}

function expect(holds: boolean, field: string, what: string): void {
  if (!holds) {
    throw new TypeError(`"${field}" is not ${what}`);
  }
}

function optional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || typeof value === type;
}

function isStrings(value: unknown): value is string[] {
  return (
    Array.isArray(value) && value.every((entry) => typeof entry === 'string')
  );
}
