import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  type PropagatorChannels,
  propagatorChannels,
} from '../contract/propagator-channels';
import { JwtTokenVerifier } from '../auth/jwt-token.verifier';
import type { TokenVerifier } from '../auth/token-verifier.interface';
import { InProcessTransport } from '../redis/in-process.transport';
import { IoRedisClusterTransport } from '../redis/ioredis-cluster.transport';
import { IoRedisTransport } from '../redis/ioredis.transport';
import type { PubSubTransport } from '../redis/pubsub-transport.interface';
import type { RedisPropagatorModuleOptions } from './propagator-options.interface';

/** The per-connection rate limit on a client's events. */
export interface RateLimitSettings {
  /** Events a connection may send per second, on average. */
  readonly eventsPerSecond: number;
  /** Events it may send at once, above the average. */
  readonly burst: number;
  /** Refused events within 5 s that disconnect the client as abusive. */
  readonly disconnectAfterRefusals: number;
}

/** The per-address limit on new connections. */
export interface ConnectionRateSettings {
  readonly connectionsPerSecond: number;
  readonly burst: number;
}

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
  readonly maxEventBytes: number;
  readonly maxMessageBytes: number;
  readonly maxBufferedBytes: number;
  /** Undefined when the rate limit is off. */
  readonly rateLimit?: RateLimitSettings;
  /** Undefined when origins are not checked. */
  readonly allowedOrigins?: ReadonlySet<string>;
  /** Undefined when the limit is off. */
  readonly connectionRateLimit?: ConnectionRateSettings;
  readonly trustedProxies: number;
  /** Undefined when there is no limit. */
  readonly maxSocketsPerUser?: number;
  readonly maxRoomsPerSocket: number;
  readonly socketLeaseMs: number;
  readonly idempotencyWindowSeconds: number;
  readonly readyTimeoutMs: number;
}

const DEFAULTS = {
  channelPrefix: '',
  allowAnonymous: true,
  maxEventBytes: 1_000_000,
  maxSocketsPerUser: 50,
  maxRoomsPerSocket: 1_000,
  trustedProxies: 0,
  socketLeaseMs: 30_000,
  readyTimeoutMs: 10_000,
  publishTimeoutMs: 2_000,
  idempotencyWindowSeconds: 300,
} as const satisfies RedisPropagatorModuleOptions;

/** `maxBufferedBytes` is this, or twice `maxMessageBytes` if that is more. */
const MIN_DEFAULT_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Room for the envelope (event, user, socket, namespace) around an event. */
const ENVELOPE_BYTES = 65_536;
const CONNECTION_RATE_DEFAULTS: ConnectionRateSettings = {
  connectionsPerSecond: 20,
  burst: 100,
};
const RATE_LIMIT_DEFAULTS: RateLimitSettings = {
  eventsPerSecond: 100,
  burst: 200,
  disconnectAfterRefusals: 500,
};

/**
 * Applies the defaults, checks every option, and builds the verifier and the
 * transport. Throws a TypeError that names the option at fault; nothing is
 * connected until every check has passed.
 */
export function resolvePropagatorOptions(
  options: RedisPropagatorModuleOptions,
): ResolvedPropagatorOptions {
  const given = withoutUndefined(options);
  const maxEventBytes = given.maxEventBytes ?? DEFAULTS.maxEventBytes;
  const maxMessageBytes =
    given.maxMessageBytes ?? maxEventBytes + ENVELOPE_BYTES;
  const settings = {
    ...DEFAULTS,
    maxMessageBytes,
    maxBufferedBytes: Math.max(MIN_DEFAULT_BUFFERED_BYTES, 2 * maxMessageBytes),
    ...given,
  };
  if (typeof settings.channelPrefix !== 'string') {
    throw optionError('"channelPrefix" must be a string');
  }
  if (!isInteger(settings.maxEventBytes, 1)) {
    throw optionError('"maxEventBytes" must be a positive integer');
  }
  if (!isInteger(settings.maxMessageBytes, 1)) {
    throw optionError('"maxMessageBytes" must be a positive integer');
  }
  if (!isInteger(settings.maxBufferedBytes, settings.maxMessageBytes + 1)) {
    throw optionError(
      `"maxBufferedBytes" (${String(settings.maxBufferedBytes)}) must be an integer greater than "maxMessageBytes" (${settings.maxMessageBytes}): one message must fit`,
    );
  }
  if (
    settings.maxSocketsPerUser !== false &&
    !isInteger(settings.maxSocketsPerUser, 1)
  ) {
    throw optionError(
      '"maxSocketsPerUser" must be a positive integer or false',
    );
  }
  if (!isInteger(settings.maxRoomsPerSocket, 1)) {
    throw optionError('"maxRoomsPerSocket" must be a positive integer');
  }
  if (!isInteger(settings.trustedProxies, 0)) {
    throw optionError('"trustedProxies" must be an integer of 0 or more');
  }
  if (!isInteger(settings.socketLeaseMs, 100)) {
    throw optionError('"socketLeaseMs" must be an integer of 100 or more');
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
    maxEventBytes: settings.maxEventBytes,
    maxMessageBytes: settings.maxMessageBytes,
    rateLimit: resolveBucket(
      'rateLimit',
      settings.rateLimit,
      RATE_LIMIT_DEFAULTS,
    ),
    connectionRateLimit: resolveBucket(
      'connectionRateLimit',
      settings.connectionRateLimit,
      CONNECTION_RATE_DEFAULTS,
    ),
    allowedOrigins: resolveOrigins(settings.allowedOrigins),
    trustedProxies: settings.trustedProxies,
    maxSocketsPerUser:
      settings.maxSocketsPerUser === false
        ? undefined
        : settings.maxSocketsPerUser,
    maxRoomsPerSocket: settings.maxRoomsPerSocket,
    socketLeaseMs: settings.socketLeaseMs,
    maxBufferedBytes: settings.maxBufferedBytes,
    idempotencyWindowSeconds: settings.idempotencyWindowSeconds,
    readyTimeoutMs: settings.readyTimeoutMs,
    verifier,
    // Last: it is the only step that opens connections.
    transport: createTransport(options, settings.publishTimeoutMs),
  };
}

function resolveBucket<T extends object>(
  name: string,
  option: false | Partial<T> | undefined,
  defaults: T,
): T | undefined {
  if (option === false) {
    return undefined;
  }
  const settings = { ...defaults, ...withoutUndefined(option ?? {}) };
  for (const [key, value] of Object.entries(settings)) {
    if (!isInteger(value, 1)) {
      throw optionError(`"${name}.${key}" must be a positive integer`);
    }
  }
  return settings;
}

function resolveOrigins(
  origins: readonly string[] | undefined,
): ReadonlySet<string> | undefined {
  if (origins === undefined) {
    return undefined;
  }
  for (const origin of origins) {
    if (!isOrigin(origin)) {
      throw optionError(
        `"allowedOrigins" has "${origin}", which is not an origin like https://app.example`,
      );
    }
  }
  return new Set(origins);
}

function isOrigin(value: unknown): boolean {
  if (typeof value !== 'string') {
    return false;
  }
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
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
  const { redisUrl, redisOptions, redisCluster, transport } = options;
  const given = [
    redisUrl !== undefined || redisOptions !== undefined ? 'redisUrl' : '',
    redisCluster !== undefined ? 'redisCluster' : '',
    transport !== undefined ? 'transport' : '',
  ].filter(Boolean);
  if (given.length > 1) {
    throw optionError(
      `set one of "redisUrl"/"redisOptions", "redisCluster" and "transport", not ${given.map((name) => `"${name}"`).join(' and ')}`,
    );
  }
  if (transport) {
    return transport;
  }
  if (redisCluster) {
    if (!Array.isArray(redisCluster.nodes) || redisCluster.nodes.length === 0) {
      throw optionError('"redisCluster.nodes" must list at least one node');
    }
    const { isSharded } = propagatorChannels(options.channelPrefix ?? '');
    return new IoRedisClusterTransport(
      redisCluster.nodes,
      redisCluster.options ?? {},
      isSharded,
      publishTimeoutMs,
    );
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
