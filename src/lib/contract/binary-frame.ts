// Messages whose data holds binary (a Buffer, an ArrayBuffer, a typed array)
// travel in a binary frame instead of JSON, which would turn the bytes into
// {"type":"Buffer","data":[...]} and double their size. The frame is this
// library's own business: the public contract stays JSON, and a consumer
// tells the two apart by the first byte, which no JSON text starts with.
//
//   0xB5 | version (1) | u32 header length | header: UTF-8 JSON
//   | u32 attachment count | per attachment: u32 length, bytes
//
// The header is {"message": <the message, each binary value replaced by
// null>, "paths": [<the keys leading to each binary value>]}.

const MAGIC = 0xb5;
const VERSION = 1;
// Deeper data is not searched for binary; JSON refuses what it cannot carry.
const MAX_SEARCH_DEPTH = 100;

type Key = string | number;

/** True if the raw message is a binary frame rather than JSON. */
export function isBinaryFrame(raw: Buffer): boolean {
  return raw.length > 0 && raw[0] === MAGIC;
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

/** Encodes a message that {@link hasBinary} as a binary frame. */
export function encodeBinaryFrame(message: object): Buffer {
  const paths: Key[][] = [];
  const attachments: Buffer[] = [];
  const stripped = strip(message, [], paths, attachments);
  const header = Buffer.from(JSON.stringify({ message: stripped, paths }));
  const parts = [prefix(header.length), header, u32(attachments.length)];
  for (const attachment of attachments) {
    parts.push(u32(attachment.length), attachment);
  }
  return Buffer.concat(parts);
}

/**
 * Decodes a binary frame into the message it carries, binary values as
 * Buffers. Throws a TypeError saying what is wrong with a malformed frame.
 */
export function decodeBinaryFrame(raw: Buffer): unknown {
  const reader = new FrameReader(raw);
  if (reader.byte() !== MAGIC || reader.byte() !== VERSION) {
    throw new TypeError('not a binary frame of version 1');
  }
  const header: unknown = JSON.parse(reader.bytes(reader.u32()).toString());
  const count = reader.u32();
  const attachments: Buffer[] = [];
  for (let n = 0; n < count; n += 1) {
    // A copy: the frame may share memory with the connection's read buffer.
    attachments.push(Buffer.from(reader.bytes(reader.u32())));
  }
  if (!reader.isAtEnd()) {
    throw new TypeError('bytes follow the last attachment');
  }
  const { message, paths } = (header ?? {}) as {
    message?: unknown;
    paths?: unknown;
  };
  if (!Array.isArray(paths) || paths.length !== attachments.length) {
    throw new TypeError('the paths do not match the attachments');
  }
  paths.forEach((path, n) => restore(message, path, attachments[n]));
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

function u32(value: number): Buffer {
  const buffer = Buffer.allocUnsafe(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

function prefix(headerLength: number): Buffer {
  const buffer = Buffer.allocUnsafe(6);
  buffer[0] = MAGIC;
  buffer[1] = VERSION;
  buffer.writeUInt32BE(headerLength, 2);
  return buffer;
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
