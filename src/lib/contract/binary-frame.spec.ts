import { describe, expect, it } from '@jest/globals';
import {
  decodeBinaryFrame,
  encodeBinaryFrame,
  hasBinary,
  isBinaryFrame,
} from './binary-frame';

describe('binary frames', () => {
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

    const frame = encodeBinaryFrame(message);

    expect(isBinaryFrame(frame)).toBe(true);
    expect(decodeBinaryFrame(frame)).toEqual({
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
    expect(isBinaryFrame(Buffer.from('{"event":"a"}'))).toBe(false);
  });

  it('keeps an own "__proto__" key a key, and never touches a prototype', () => {
    // Point the one attachment at the "__proto__" key, as a hostile publisher could.
    const header = JSON.stringify({
      message: JSON.parse('{"data":{"__proto__":null}}') as unknown,
      paths: [['data', '__proto__']],
    });
    const hostile = Buffer.concat([
      Buffer.from([0xb5, 1]),
      u32(Buffer.byteLength(header)),
      Buffer.from(header),
      u32(1),
      u32(2),
      Buffer.from([1, 2]),
    ]);

    const decoded = decodeBinaryFrame(hostile) as { data: object };

    expect(Object.getPrototypeOf(decoded.data)).toBe(Object.prototype);
    expect(
      Object.getOwnPropertyDescriptor(decoded.data, '__proto__')?.value,
    ).toEqual(Buffer.from([1, 2]));
  });

  it.each([
    ['a wrong version', Buffer.from([0xb5, 9, 0, 0, 0, 0])],
    ['a truncated header', Buffer.from([0xb5, 1, 0, 0, 0, 9, 123])],
    [
      'too few attachments for the paths',
      frameOf({ message: { a: null }, paths: [['a']] }, []),
    ],
    [
      'a path that leads nowhere',
      frameOf({ message: { a: null }, paths: [['b', 'c']] }, [Buffer.alloc(1)]),
    ],
    [
      'trailing bytes',
      Buffer.concat([frameOf({ message: {}, paths: [] }, []), Buffer.alloc(1)]),
    ],
  ])('refuses a malformed frame: %s', (_, frame) => {
    expect(() => decodeBinaryFrame(frame)).toThrow(TypeError);
  });
});

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

function frameOf(header: object, attachments: Buffer[]): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  return Buffer.concat([
    Buffer.from([0xb5, 1]),
    u32(json.length),
    json,
    u32(attachments.length),
    ...attachments.flatMap((a) => [u32(a.length), a]),
  ]);
}
