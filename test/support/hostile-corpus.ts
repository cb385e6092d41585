import { randomBytes } from 'node:crypto';

/** Which channel a payload goes to: a contract channel, or the victim's own. */
export type CorpusChannel = 'send' | 'all' | 'authenticated' | 'user';

/** One bad payload: every consumer must drop it, count it, and go on. */
export interface HostilePayload {
  readonly name: string;
  readonly channel: CorpusChannel;
  readonly payload: string | Buffer;
}

/** The user whose channel and tabs the corpus aims at. */
export const VICTIM = 'victim';

const MB = 1024 * 1024;
const json = (value: unknown) => JSON.stringify(value);
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** A frame of the library's own format (see propagator-frame.ts), forged. */
function forgedFrame(message: string, paths: string[]): Buffer {
  const u32 = (value: number) => {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    return bytes;
  };
  const origin = Buffer.from('forger!!');
  const parts = [
    Buffer.from([0xb5, 1, origin.length]),
    origin,
    u32(Buffer.byteLength(message)),
    Buffer.from(message),
    u32(paths.length),
  ];
  for (const path of paths) {
    parts.push(u32(Buffer.byteLength(path)), Buffer.from(path));
    parts.push(u32(3), Buffer.from('bad'));
  }
  return Buffer.concat(parts);
}

/**
 * Bad whatever the channel: not JSON, not an object, broken fields, too
 * big, too deep, prototype keys, invalid UTF-8, forged frames.
 */
function everywhere(
  target: Record<string, unknown>,
): [string, string | Buffer][] {
  const withField = (field: Record<string, unknown>) =>
    json({ ...target, event: 'ok', ...field });
  return [
    ['not JSON', '{"event": "ok",'],
    ['empty', ''],
    ['null', 'null'],
    ['an array', json([{ ...target, event: 'ok' }])],
    ['a string', json('{"event":"ok"}')],
    ['a number', '42'],
    ['true', 'true'],
    ['JSON followed by garbage', `${withField({})} trailing`],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ['binary garbage', Buffer.concat([Buffer.from([0]), randomBytes(63)])],
    ['no event', json({ ...target, data: 1 })],
    ['an empty event', withField({ event: '' })],
    ['an overlong event', withField({ event: 'e'.repeat(129) })],
    ['the reserved event "connect"', withField({ event: 'connect' })],
    ['the reserved event "disconnect"', withField({ event: 'disconnect' })],
    ['the reserved event "newListener"', withField({ event: 'newListener' })],
    ['a numeric event', withField({ event: 42 })],
    ['an object as event', withField({ event: { toString: 'ok' } })],
    ['an empty namespace', withField({ namespace: '' })],
    ['a numeric namespace', withField({ namespace: 7 })],
    ['an empty id', withField({ id: '' })],
    ['an overlong id', withField({ id: 'i'.repeat(201) })],
    ['a 2 MB payload', withField({ data: 'x'.repeat(2 * MB) })],
    ['a 20 MB payload', withField({ data: 'x'.repeat(20 * MB) })],
    [
      'data nested 100,000 levels',
      `{"event":"ok","data":${nested(100_000)}${target.userId ? `,"userId":"${VICTIM}"` : ''}}`,
    ],
    ['JSON nested 100,000 levels', nested(100_000)],
    ['fields only under "__proto__"', `{"__proto__":${withField({})}}`],
    [
      'fields only under "constructor"',
      json({ constructor: { prototype: { ...target, event: 'ok' } } }),
    ],
    ['a forged frame, truncated', Buffer.from([0xb5, 1, 8, 1, 2, 3])],
    [
      'a forged frame of another version',
      Buffer.from([0xb5, 9, 0, 0, 0, 0, 2, 0x7b, 0x7d]),
    ],
    [
      'a forged frame writing through "__proto__"',
      forgedFrame(withField({}), [json(['__proto__', 'polluted'])]),
    ],
  ];
}

/** User ids that coerce to "undefined", "null", "true", "[object Object]", or are not ids. */
const BAD_USER_IDS: [string, unknown][] = [
  ['a missing userId', undefined],
  ['a null userId', null],
  ['a true userId', true],
  ['an object userId', { id: VICTIM }],
  ['an array userId', [VICTIM]],
  ['an empty userId', ''],
  ['a fractional userId', 1.5],
  ['a userId beyond 2^53', 2 ** 60],
];

/** At least 60 bad payloads across the four channels. */
export function hostileCorpus(): HostilePayload[] {
  const corpus: HostilePayload[] = [];
  const add = (
    channel: CorpusChannel,
    entries: [string, string | Buffer][],
  ) => {
    for (const [name, payload] of entries) {
      corpus.push({ name: `${channel}: ${name}`, channel, payload });
    }
  };
  add('send', everywhere({ userId: VICTIM }));
  add(
    'send',
    BAD_USER_IDS.map(([name, userId]) => [
      name,
      json({ userId, event: 'ok', data: 1 }),
    ]),
  );
  add('send', [
    ['a numeric socketId', json({ userId: VICTIM, event: 'ok', socketId: 5 })],
  ]);
  add('all', everywhere({}));
  add('authenticated', everywhere({}).slice(0, 12));
  add('user', everywhere({}).slice(0, 12));
  add('user', [
    [
      'a userId naming another user',
      json({ userId: 'someone-else', event: 'ok' }),
    ],
    ['a 2 MB payload', json({ event: 'ok', data: 'x'.repeat(2 * MB) })],
  ]);
  return corpus;
}
