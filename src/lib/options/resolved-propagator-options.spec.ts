import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { JwtTokenVerifier } from '../auth/jwt-token.verifier';
import type { TokenVerifier } from '../auth/token-verifier.interface';
import { InProcessTransport } from '../redis/in-process.transport';
import { resolvePropagatorOptions } from './resolved-propagator-options';

const jwt = { secret: 'a-secret-that-is-at-least-32-bytes-long' };
const verifier: TokenVerifier = {
  verify: () => Promise.resolve({ userId: '1', claims: {} }),
};

describe('resolvePropagatorOptions', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('applies the documented defaults, even over explicit undefined', async () => {
    const resolved = resolvePropagatorOptions({
      jwt,
      channelPrefix: undefined,
    });

    expect(resolved).toMatchObject({
      channelPrefix: '',
      allowAnonymous: true,
      maxEventBytes: 1_000_000,
      maxMessageBytes: 1_065_536,
      maxBufferedBytes: 4_194_304,
      rateLimit: {
        eventsPerSecond: 100,
        burst: 200,
        disconnectAfterRefusals: 500,
      },
      readyTimeoutMs: 10_000,
    });
    expect(resolved.verifier).toBeInstanceOf(JwtTokenVerifier);
    expect(resolved.transport.kind).toBe('in-process');
    await resolved.transport.close();
  });

  it('keeps the default buffer limit above a large message limit', () => {
    const resolved = resolvePropagatorOptions({
      verifier,
      transport: new InProcessTransport(),
      maxMessageBytes: 5_000_000,
    });

    expect(resolved.maxBufferedBytes).toBe(10_000_000);
  });

  it('turns the rate limit off with false, and derives the message limit from the event limit', () => {
    const resolved = resolvePropagatorOptions({
      verifier,
      transport: new InProcessTransport(),
      maxEventBytes: 10_000,
      rateLimit: false,
    });

    expect(resolved.rateLimit).toBeUndefined();
    expect(resolved.maxMessageBytes).toBe(75_536);
  });

  it('uses a transport and a verifier of the app as they are', () => {
    const transport = new InProcessTransport();
    const resolved = resolvePropagatorOptions({ transport, verifier });

    expect(resolved.transport).toBe(transport);
    expect(resolved.verifier).toBe(verifier);
  });

  it.each([
    [{}, 'set "jwt" (a secret or a public key) or "verifier"'],
    [{ jwt, verifier }, 'set "jwt" or "verifier", not both'],
    [
      { jwt, transport: new InProcessTransport(), redisUrl: 'redis://x' },
      'set one of "redisUrl"/"redisOptions", "redisCluster" and "transport", not "redisUrl" and "transport"',
    ],
    [
      { jwt, redisUrl: 'redis://x', redisCluster: { nodes: ['x:1'] } },
      'set one of "redisUrl"/"redisOptions", "redisCluster" and "transport", not "redisUrl" and "redisCluster"',
    ],
    [
      { jwt, redisCluster: { nodes: [] } },
      '"redisCluster.nodes" must list at least one node',
    ],
    [
      { jwt, redisUrl: 'http://x' },
      '"redisUrl" must start with redis:// or rediss://',
    ],
    [
      { jwt, maxMessageBytes: 0 },
      '"maxMessageBytes" must be a positive integer',
    ],
    [
      { jwt, maxMessageBytes: 2048, maxBufferedBytes: 2048 },
      '"maxBufferedBytes" (2048) must be an integer greater than "maxMessageBytes" (2048): one message must fit',
    ],
    [
      { jwt, rateLimit: { burst: 0 } },
      '"rateLimit.burst" must be a positive integer',
    ],
    [{ jwt, maxEventBytes: 1.5 }, '"maxEventBytes" must be a positive integer'],
    [
      { jwt, maxRoomsPerSocket: 0 },
      '"maxRoomsPerSocket" must be a positive integer',
    ],
    [
      { jwt, readyTimeoutMs: -1 },
      '"readyTimeoutMs" must be an integer of 0 or more',
    ],
    [
      { jwt, channelPrefix: 7 as unknown as string },
      '"channelPrefix" must be a string',
    ],
  ])('refuses %j with a TypeError naming the option', (options, problem) => {
    expect(() => resolvePropagatorOptions(options)).toThrow(
      new TypeError(`RedisPropagatorModule: ${problem}`),
    );
  });
});
