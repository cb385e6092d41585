import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  type PropagatorChannels,
  propagatorChannels,
} from '../contract/propagator-channels';
import { JwtTokenVerifier } from '../auth/jwt-token.verifier';
import type { TokenVerifier } from '../auth/token-verifier.interface';
import { InProcessTransport } from '../redis/in-process.transport';
import { IoRedisTransport } from '../redis/ioredis.transport';
import type { PubSubTransport } from '../redis/pubsub-transport.interface';
import type { RedisPropagatorModuleOptions } from './propagator-options.interface';

/** Injection token of the {@link ResolvedPropagatorOptions}. */
export const PROPAGATOR_OPTIONS = Symbol('redis-propagator:resolved-options');

/**
 * The module options after defaults and checks, with the transport and the
 * verifier built: what every part of the library reads. Resolved once per
 * application.
 */
export interface ResolvedPropagatorOptions {
  readonly transport: PubSubTransport;
  readonly verifier: TokenVerifier;
  readonly channelPrefix: string;
  /** The channel names, with the prefix applied. */
  readonly channels: PropagatorChannels;
  /** Names this instance in the frames it publishes; random per start. */
  readonly origin: Buffer;
  readonly allowAnonymous: boolean;
  readonly maxMessageBytes: number;
  readonly maxBufferedBytes: number;
  readonly idempotencyWindowSeconds: number;
  readonly readyTimeoutMs: number;
}

const DEFAULTS = {
  channelPrefix: '',
  allowAnonymous: true,
  maxMessageBytes: 1_000_000,
  readyTimeoutMs: 10_000,
  publishTimeoutMs: 2_000,
  idempotencyWindowSeconds: 300,
} as const satisfies RedisPropagatorModuleOptions;

/** `maxBufferedBytes` is this, or twice `maxMessageBytes` if that is more. */
const MIN_DEFAULT_BUFFERED_BYTES = 4 * 1024 * 1024;

/**
 * Applies the defaults, checks every option, and builds the verifier and the
 * transport. Throws a TypeError that names the option at fault; nothing is
 * connected until every check has passed.
 */
export function resolvePropagatorOptions(
  options: RedisPropagatorModuleOptions,
): ResolvedPropagatorOptions {
  const given = withoutUndefined(options);
  const maxMessageBytes = given.maxMessageBytes ?? DEFAULTS.maxMessageBytes;
  const settings = {
    ...DEFAULTS,
    maxBufferedBytes: Math.max(MIN_DEFAULT_BUFFERED_BYTES, 2 * maxMessageBytes),
    ...given,
  };
  if (typeof settings.channelPrefix !== 'string') {
    throw optionError('"channelPrefix" must be a string');
  }
  if (!isInteger(settings.maxMessageBytes, 1)) {
    throw optionError('"maxMessageBytes" must be a positive integer');
  }
  if (!isInteger(settings.maxBufferedBytes, settings.maxMessageBytes + 1)) {
    throw optionError(
      '"maxBufferedBytes" must be an integer greater than "maxMessageBytes"',
    );
  }
  if (!isInteger(settings.readyTimeoutMs, 0)) {
    throw optionError('"readyTimeoutMs" must be an integer of 0 or more');
  }
  if (!isInteger(settings.idempotencyWindowSeconds, 1)) {
    throw optionError('"idempotencyWindowSeconds" must be a positive integer');
  }
  if (!isInteger(settings.publishTimeoutMs, 1)) {
    throw optionError('"publishTimeoutMs" must be a positive integer');
  }
  const verifier = createVerifier(options);
  return {
    channelPrefix: settings.channelPrefix,
    channels: propagatorChannels(settings.channelPrefix),
    origin: randomBytes(8),
    allowAnonymous: settings.allowAnonymous,
    maxMessageBytes: settings.maxMessageBytes,
    maxBufferedBytes: settings.maxBufferedBytes,
    idempotencyWindowSeconds: settings.idempotencyWindowSeconds,
    readyTimeoutMs: settings.readyTimeoutMs,
    verifier,
    // Last: it is the only step that opens connections.
    transport: createTransport(options, settings.publishTimeoutMs),
  };
}

function createVerifier(options: RedisPropagatorModuleOptions): TokenVerifier {
  if (options.verifier && options.jwt) {
    throw optionError('set "jwt" or "verifier", not both');
  }
  if (options.verifier) {
    return options.verifier;
  }
  if (!options.jwt) {
    throw optionError('set "jwt" (a secret or a public key) or "verifier"');
  }
  return new JwtTokenVerifier(options.jwt);
}

function createTransport(
  options: RedisPropagatorModuleOptions,
  publishTimeoutMs: number,
): PubSubTransport {
  const { redisUrl, redisOptions, transport } = options;
  if (transport) {
    if (redisUrl !== undefined || redisOptions !== undefined) {
      throw optionError(
        '"transport" replaces "redisUrl" and "redisOptions"; set only one of them',
      );
    }
    return transport;
  }
  if (redisUrl === undefined && redisOptions === undefined) {
    new Logger('RedisPropagatorModule').warn(
      'No Redis configured: using the in-process transport, which reaches ' +
        'this instance only. Set redisUrl to run more than one instance.',
    );
    return new InProcessTransport();
  }
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw optionError('"redisUrl" must start with redis:// or rediss://');
  }
  return new IoRedisTransport(redisUrl, redisOptions, publishTimeoutMs);
}

function isInteger(value: unknown, min: number): boolean {
  return Number.isSafeInteger(value) && (value as number) >= min;
}

function optionError(problem: string): TypeError {
  return new TypeError(`RedisPropagatorModule: ${problem}`);
}

/** `{ a: undefined }` must not override a default. */
function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as Partial<T>;
}
