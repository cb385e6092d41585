import { decodeFrame, encodeFrame, isFrame } from './propagator-frame';
import { type DropReason, InvalidMessageError } from './invalid-message.error';

import schema from './propagator-message.schema.json';

// The rules come from the contract's JSON Schema, the document other
// services read: change them there. A test checks that this parser and the
// schema accept and refuse the same payloads.
const RULES = schema.$defs;

/** Event names Socket.IO reserves; emitting them throws or misleads clients. */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set(
  RULES.event.not.enum,
);

/** Longest event name of the wire contract, in characters (code points). */
export const MAX_EVENT_LENGTH = RULES.event.maxLength;

/** Longest idempotency key, in characters (code points). */
export const MAX_ID_LENGTH = RULES.id.maxLength;

/** Longest room name, in characters (code points): a room is also a channel. */
export const MAX_ROOM_LENGTH = RULES.room.maxLength;

/**
 * Why a room name cannot be a room (empty, or longer than
 * {@link MAX_ROOM_LENGTH}), or undefined when it can.
 */
export function roomNameProblem(room: unknown): string | undefined {
  if (typeof room !== 'string' || room.length === 0) {
    return 'a room name must be a non-empty string';
  }
  if (isLongerThan(room, MAX_ROOM_LENGTH)) {
    return `the room name "${room.slice(0, 32)}..." is longer than ${MAX_ROOM_LENGTH} characters`;
  }
  return undefined;
}

/** A broadcast after validation: every field present and normalised. */
export interface ParsedBroadcast {
  readonly event: string;
  readonly data: unknown;
  readonly namespace: string;
  readonly id?: string;
}

/** A send-to-user message after validation. */
export interface ParsedSendToUser extends ParsedBroadcast {
  readonly userId: string;
  readonly socketId?: string;
}

export type ParseResult<T> =
  | { readonly ok: true; readonly message: T }
  | { readonly ok: false; readonly reason: DropReason; readonly error: string };

/** Decodes and validates a message of an emit-to-all or emit-to-authenticated channel. */
export function parseBroadcastMessage(
  raw: Buffer,
  maxBytes: number,
): ParseResult<ParsedBroadcast> {
  const decoded = decodePayload(raw, maxBytes);
  return decoded.ok ? toBroadcast(decoded.message) : decoded;
}

/** Decodes and validates a message of the send-to-user channel. */
export function parseSendToUserMessage(
  raw: Buffer,
  maxBytes: number,
): ParseResult<ParsedSendToUser> {
  const decoded = decodePayload(raw, maxBytes);
  return decoded.ok ? toSendToUser(decoded.message) : decoded;
}

/**
 * Decodes and validates a message of a user's own channel: the user comes
 * from the channel name, and a `userId` in the message, if any, must match.
 */
export function parseUserChannelMessage(
  raw: Buffer,
  channelUserId: string,
  maxBytes: number,
): ParseResult<ParsedSendToUser> {
  const decoded = decodePayload(raw, maxBytes);
  return decoded.ok ? toSendToUser(decoded.message, channelUserId) : decoded;
}

/**
 * Validates an emit-to-all or emit-to-authenticated message, from Redis or
 * from a caller of this library alike.
 */
export function toBroadcast(value: unknown): ParseResult<ParsedBroadcast> {
  const broadcast = readBroadcast(value);
  return 'ok' in broadcast ? broadcast : { ok: true, message: broadcast };
}

/**
 * Validates a send-to-user message, from Redis or from a caller alike.
 *
 * @param channelUserId The user of the channel it came on, for a user's own
 *   channel: the message may omit `userId`, and may not name another user.
 */
export function toSendToUser(
  value: unknown,
  channelUserId?: string,
): ParseResult<ParsedSendToUser> {
  const broadcast = readBroadcast(value);
  if ('ok' in broadcast) {
    return broadcast;
  }
  const { userId, socketId } = value as Record<string, unknown>;
  const id = checkUserId(userId === undefined ? channelUserId : userId);
  if (typeof id !== 'string') {
    return id;
  }
  if (channelUserId !== undefined && id !== channelUserId) {
    return invalid(
      `"userId" is "${id}", but the message came on the channel of user "${channelUserId}"`,
    );
  }
  if (socketId !== undefined && typeof socketId !== 'string') {
    return invalid('"socketId" must be a string');
  }
  // Built field by field: this runs for every message, twice.
  return {
    ok: true,
    message: {
      event: broadcast.event,
      data: broadcast.data,
      namespace: broadcast.namespace,
      id: broadcast.id,
      userId: id,
      socketId,
    },
  };
}

/** The fields every message has, checked; or why they fail. */
function readBroadcast(value: unknown): ParsedBroadcast | ParseResult<never> {
  if (!isPlainObject(value)) {
    return invalid('the message is not a JSON object');
  }
  const event = checkEvent(value.event);
  if (typeof event !== 'string') {
    return event;
  }
  const namespace = checkNamespace(value.namespace);
  if (typeof namespace !== 'string') {
    return namespace;
  }
  const { id } = value;
  if (
    id !== undefined &&
    (typeof id !== 'string' ||
      id.length === 0 ||
      isLongerThan(id, MAX_ID_LENGTH))
  ) {
    return invalid(
      `"id" must be a non-empty string of at most ${MAX_ID_LENGTH} characters`,
    );
  }
  return { event, data: value.data, namespace, id };
}

/**
 * Checks a message against the wire contract without publishing it: what
 * `propagateEvent` (with `to: 'user'`) or the broadcasts would refuse.
 * Throws an {@link InvalidMessageError} naming the rule it breaks.
 */
export function validatePropagatorMessage(
  message: unknown,
  to: 'user' | 'broadcast',
): void {
  const validated =
    to === 'user' ? toSendToUser(message) : toBroadcast(message);
  if (!validated.ok) {
    throw new InvalidMessageError(validated.reason, validated.error);
  }
}

/** A frame from no instance in particular: a publisher outside the app. */
const NO_ORIGIN = Buffer.alloc(0);

/**
 * Serialises a validated message for the wire, within the size limit: the
 * one place where messages are turned into bytes. It becomes a frame of
 * this library (see propagator-frame.ts), which keeps binary data binary
 * and names the instance it comes from. Throws an
 * {@link InvalidMessageError} for data that JSON cannot carry (a BigInt, a
 * cycle) or a message over `maxBytes`.
 */
export function encodeMessage(
  message: ParsedBroadcast,
  maxBytes: number,
  origin: Buffer = NO_ORIGIN,
): Buffer {
  let payload: Buffer;
  try {
    payload = encodeFrame(message, origin);
  } catch (error) {
    throw new InvalidMessageError(
      'not_json',
      `"data" is not serialisable as JSON: ${(error as Error).message}`,
    );
  }
  if (payload.length > maxBytes) {
    throw new InvalidMessageError(
      'too_large',
      `the message has ${payload.length} bytes, over the limit of ${maxBytes}`,
    );
  }
  return payload;
}

/**
 * The one place where messages from Redis are turned from bytes into values:
 * JSON, or a frame of this library.
 * The size is checked before anything is decoded.
 */
function decodePayload(raw: Buffer, maxBytes: number): ParseResult<unknown> {
  if (raw.byteLength > maxBytes) {
    return {
      ok: false,
      reason: 'too_large',
      error: `the message has ${raw.byteLength} bytes, over the limit of ${maxBytes}`,
    };
  }
  if (isFrame(raw)) {
    try {
      return { ok: true, message: decodeFrame(raw) };
    } catch (error) {
      return {
        ok: false,
        reason: 'invalid',
        error: `the message is a malformed frame: ${(error as Error).message}`,
      };
    }
  }
  try {
    return { ok: true, message: JSON.parse(raw.toString('utf8')) };
  } catch (error) {
    return {
      ok: false,
      reason: 'not_json',
      error: `the message is not JSON: ${(error as Error).message}`,
    };
  }
}

function checkEvent(event: unknown): string | ParseResult<never> {
  if (typeof event !== 'string' || event.length === 0) {
    return invalid('"event" must be a non-empty string');
  }
  if (isLongerThan(event, MAX_EVENT_LENGTH)) {
    return invalid(`"event" is longer than ${MAX_EVENT_LENGTH} characters`);
  }
  if (RESERVED_EVENTS.has(event)) {
    return invalid(`"event" may not be "${event}", which Socket.IO reserves`);
  }
  return event;
}

function checkUserId(userId: unknown): string | ParseResult<never> {
  if (typeof userId === 'string' && userId.length > 0) {
    return userId;
  }
  if (typeof userId === 'number' && Number.isSafeInteger(userId)) {
    return String(userId);
  }
  return invalid('"userId" must be a non-empty string or an integer');
}

/** Whether a string has more than `max` characters, as JSON Schema counts them (code points). */
function isLongerThan(text: string, max: number): boolean {
  // Code points never outnumber UTF-16 units: most strings need no count.
  if (text.length <= max) {
    return false;
  }
  let count = 0;
  for (const _ of text) {
    count += 1;
    if (count > max) {
      return true;
    }
  }
  return false;
}

function checkNamespace(namespace: unknown): string | ParseResult<never> {
  if (namespace === undefined) {
    return '/';
  }
  if (typeof namespace !== 'string' || namespace.length === 0) {
    return invalid('"namespace" must be a non-empty string');
  }
  return namespace.startsWith('/') ? namespace : `/${namespace}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(error: string): ParseResult<never> {
  return { ok: false, reason: 'invalid', error };
}
