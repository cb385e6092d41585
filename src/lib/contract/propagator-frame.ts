// What instances of this library publish to each other travels in a frame
// of its own rather than as contract JSON, for two reasons:
// - binary data (a Buffer, an ArrayBuffer, a typed array) stays binary; JSON
//   would turn it into {"type":"Buffer","data":[...]} and double its size;
// - the publishing instance is named, so it skips its own messages without
//   decoding them: it has delivered to its own sockets already.
// The public contract stays JSON; a consumer tells the two apart by the
// first byte, which no JSON text starts with.
//
// The adapters of the namespaces (rooms/) use the same frame with 0xB6
// first, so that a channel can carry both and each reader takes its own.
//
//   0xB5 or 0xB6 | version 1 | u8 origin length | origin
//   | u32 message length | message: UTF-8 JSON, each binary value as null
//   | u32 attachment count
//   | per attachment: u32 path length | path: JSON array of keys
//                   | u32 length | bytes

const MAGIC = 0xb5;
const ADAPTER_MAGIC = 0xb6;
const VERSION = 1;
// Deeper data is not searched for binary; JSON refuses what it cannot carry.
const MAX_SEARCH_DEPTH = 100;

type Key = string | number;

/** True if the raw message is a frame of this library rather than JSON. */
export function isFrame(raw: Buffer): boolean {
  return raw.length > 2 && raw[0] === MAGIC;
}

/** True if the raw message is an operation of a namespace adapter. */
export function isAdapterFrame(raw: Buffer): boolean {
  return raw.length > 2 && raw[0] === ADAPTER_MAGIC;
}

/** True if the frame was published by the instance of that origin. */
export function isFrom(raw: Buffer, origin: Buffer): boolean {
  const length = raw[2];
  return (
    length === origin.length &&
    raw.length >= 3 + length &&
    origin.equals(raw.subarray(3, 3 + length))
  );
}

/** True if the value holds a binary value anywhere within its first levels. */
export function hasBinary(value: unknown, depth = 0): boolean {
  if (isBinary(value)) {
    return true;
  }
  if (typeof value !== 'object' || value === null || depth > MAX_SEARCH_DEPTH) {
    return false;
  }
  for (const entry of Array.isArray(value) ? value : Object.values(value)) {
    if (hasBinary(entry, depth + 1)) {
      return true;
    }
  }
  return false;
}

/**
 * Encodes a message as a frame from `origin` (at most 255 bytes). Throws
 * what JSON.stringify throws for data JSON cannot carry.
 */
export function encodeFrame(
  message: object,
  origin: Buffer,
  kind: 'message' | 'adapter' = 'message',
): Buffer {
  const paths: Buffer[] = [];
  const attachments: Buffer[] = [];
  let json: string;
  if (hasBinary((message as { data?: unknown }).data)) {
    const keys: Key[][] = [];
    json = JSON.stringify(strip(message, [], keys, attachments));
    for (const path of keys) {
      paths.push(Buffer.from(JSON.stringify(path)));
    }
  } else {
    json = JSON.stringify(message);
  }
  const jsonLength = Buffer.byteLength(json);
  let size = 3 + origin.length + 4 + jsonLength + 4;
  attachments.forEach((attachment, n) => {
    size += 8 + paths[n].length + attachment.length;
  });
  // One allocation: most frames are a small JSON message and nothing else.
  const frame = Buffer.allocUnsafe(size);
  frame[0] = kind === 'message' ? MAGIC : ADAPTER_MAGIC;
  frame[1] = VERSION;
  frame[2] = origin.length;
  let offset = 3 + origin.copy(frame, 3);
  offset = frame.writeUInt32BE(jsonLength, offset);
  offset += frame.write(json, offset);
  offset = frame.writeUInt32BE(attachments.length, offset);
  attachments.forEach((attachment, n) => {
    offset = frame.writeUInt32BE(paths[n].length, offset);
    offset += paths[n].copy(frame, offset);
    offset = frame.writeUInt32BE(attachment.length, offset);
    offset += attachment.copy(frame, offset);
  });
  return frame;
}

/**
 * Decodes a frame into the message it carries, binary values as Buffers.
 * Throws a TypeError saying what is wrong with a malformed frame.
 */
export function decodeFrame(raw: Buffer): unknown {
  const reader = new FrameReader(raw);
  const magic = reader.byte();
  if (
    (magic !== MAGIC && magic !== ADAPTER_MAGIC) ||
    reader.byte() !== VERSION
  ) {
    throw new TypeError('not a frame of version 1');
  }
  reader.bytes(reader.byte());
  const message: unknown = JSON.parse(reader.bytes(reader.u32()).toString());
  const count = reader.u32();
  for (let n = 0; n < count; n += 1) {
    const path: unknown = JSON.parse(reader.bytes(reader.u32()).toString());
    // A copy: the frame may share memory with the connection's read buffer.
    restore(message, path, Buffer.from(reader.bytes(reader.u32())));
  }
  if (!reader.isAtEnd()) {
    throw new TypeError('bytes follow the last attachment');
  }
  return message;
}

function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

function toBuffer(value: ArrayBuffer | ArrayBufferView): Buffer {
  return value instanceof ArrayBuffer
    ? Buffer.from(value)
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** A copy of the value with each binary value replaced by null and recorded. */
function strip(
  value: unknown,
  path: Key[],
  paths: Key[][],
  attachments: Buffer[],
): unknown {
  if (isBinary(value)) {
    paths.push(path);
    attachments.push(toBuffer(value));
    return null;
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((entry, index) =>
      strip(entry, [...path, index], paths, attachments),
    );
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) {
    // A Date, a class instance: JSON decides what becomes of it.
    return value;
  }
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    copy[key] = strip(entry, [...path, key], paths, attachments);
  }
  return copy;
}

/** Puts an attachment back where its path leads, through own properties only. */
function restore(message: unknown, path: unknown, attachment: Buffer): void {
  if (!Array.isArray(path) || path.length === 0) {
    throw new TypeError('an attachment path is not a non-empty array');
  }
  let target = message;
  for (const [index, key] of path.entries()) {
    if (
      typeof target !== 'object' ||
      target === null ||
      (typeof key !== 'string' && typeof key !== 'number') ||
      !Object.hasOwn(target, key)
    ) {
      throw new TypeError('an attachment path leads nowhere');
    }
    if (index === path.length - 1) {
      // defineProperty: an own "__proto__" key stays a key.
      Object.defineProperty(target, key, {
        value: attachment,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return;
    }
    target = (target as Record<Key, unknown>)[key];
  }
}

class FrameReader {
  private offset = 0;

  constructor(private readonly raw: Buffer) {}

  byte(): number {
    return this.bytes(1)[0];
  }

  u32(): number {
    return this.bytes(4).readUInt32BE();
  }

  bytes(length: number): Buffer {
    if (this.offset + length > this.raw.length) {
      throw new TypeError('the frame ends early');
    }
    const slice = this.raw.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }

  isAtEnd(): boolean {
    return this.offset === this.raw.length;
  }
}
