import { describe, expect, it } from '@jest/globals';
import {
  decodeFrame,
  encodeFrame,
  hasBinary,
  isFrame,
  isFrom,
} from './propagator-frame';

const ORIGIN = Buffer.from('instance');

describe('propagator frames', () => {
  it('carry a JSON message and name the instance that published it', () => {
    const frame = encodeFrame({ event: 'a', data: { n: 1 } }, ORIGIN);

    expect(isFrame(frame)).toBe(true);
    expect(isFrom(frame, ORIGIN)).toBe(true);
    expect(isFrom(frame, Buffer.from('another'))).toBe(false);
    expect(decodeFrame(frame)).toEqual({ event: 'a', data: { n: 1 } });
  });

  it('carries binary values byte for byte, wherever they sit, with the rest as JSON', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    const message = {
      event: 'file',
      data: {
        name: 'a.bin',
        content: bytes,
        parts: [new Uint8Array([7, 8]), 'text', { deep: new ArrayBuffer(3) }],
      },
      namespace: '/',
    };

    const frame = encodeFrame(message, ORIGIN);

    expect(isFrame(frame)).toBe(true);
    expect(decodeFrame(frame)).toEqual({
      event: 'file',
      data: {
        name: 'a.bin',
        content: bytes,
        parts: [Buffer.from([7, 8]), 'text', { deep: Buffer.alloc(3) }],
      },
      namespace: '/',
    });
  });

  it('finds binary values, and is not fooled by JSON that looks like a Buffer', () => {
    expect(hasBinary({ a: [{ b: Buffer.alloc(1) }] })).toBe(true);
    expect(hasBinary(new DataView(new ArrayBuffer(1)))).toBe(true);
    expect(hasBinary({ type: 'Buffer', data: [1, 2] })).toBe(false);
    expect(hasBinary('text')).toBe(false);
    expect(isFrame(Buffer.from('{"event":"a"}'))).toBe(false);
  });

  it('keeps an own "__proto__" key a key, and never touches a prototype', () => {
    // The one attachment aimed at a "__proto__" key, as a hostile publisher could.
    const hostile = frameOf(JSON.parse('{"data":{"__proto__":null}}'), [
      [['data', '__proto__'], Buffer.from([1, 2])],
    ]);

    const decoded = decodeFrame(hostile) as { data: object };

    expect(Object.getPrototypeOf(decoded.data)).toBe(Object.prototype);
    expect(
      Object.getOwnPropertyDescriptor(decoded.data, '__proto__')?.value,
    ).toEqual(Buffer.from([1, 2]));
  });

  it.each([
    ['a wrong version', Buffer.from([0xb5, 9, 0, 0, 0, 0, 0])],
    ['a truncated message', Buffer.from([0xb5, 1, 0, 0, 0, 0, 9, 123])],
    [
      'a path that leads nowhere',
      frameOf({ a: null }, [[['b', 'c'], Buffer.alloc(1)]]),
    ],
    ['a path that is no list', frameOf({ a: null }, [['a', Buffer.alloc(1)]])],
    ['trailing bytes', Buffer.concat([frameOf({}, []), Buffer.alloc(1)])],
  ])('refuses a malformed frame: %s', (_, frame) => {
    expect(() => decodeFrame(frame)).toThrow(TypeError);
  });
});

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

/** A frame built by hand, attachments at the paths given. */
function frameOf(message: unknown, attachments: [unknown, Buffer][]): Buffer {
  const json = Buffer.from(JSON.stringify(message));
  return Buffer.concat([
    Buffer.from([0xb5, 1, 0]),
    u32(json.length),
    json,
    u32(attachments.length),
    ...attachments.flatMap(([path, bytes]) => {
      const pathJson = Buffer.from(JSON.stringify(path));
      return [u32(pathJson.length), pathJson, u32(bytes.length), bytes];
    }),
  ]);
}
