import { createPublicKey } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigError } from './config.error';
import { type Env, nonEmpty, readBoolean, readInteger } from './env';

/** A secret for development only, so that instances started with no JWT_SECRET share one. */
export const DEVELOPMENT_JWT_SECRET =
  'development-only-secret-never-use-it-in-production';

/** The reference app's configuration, read from the environment. */
export interface AppConfig {
  /** PORT: the HTTP port. 0 picks a free one. */
  readonly port: number;
  /** HOST: the address to listen on. */
  readonly host: string;
  /** REDIS_CLUSTER_NODES: seed nodes of a Redis Cluster (host:port,...), instead of REDIS_URL. */
  readonly redisClusterNodes?: readonly string[];
  /** REDIS_URL: unset runs on the in-process transport (one instance). */
  readonly redisUrl?: string;
  /** REDIS_CHANNEL_PREFIX */
  readonly channelPrefix: string;
  /** JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256/ES256), JWT_ISSUER, JWT_AUDIENCE. */
  readonly jwt: {
    readonly secret?: string;
    readonly publicKey?: string;
    readonly issuer?: string;
    readonly audience?: string;
  };
  /** True when no key was configured and the development secret is in use. */
  readonly isDevelopmentSecret: boolean;
  /** ALLOW_ANONYMOUS */
  readonly allowAnonymous: boolean;
  /**
   * CORS_ORIGINS: browser origins allowed to connect, besides the page's own
   * host (CORS, and the Socket.IO origin check); empty checks no origin.
   */
  readonly corsOrigins: readonly string[];
  /**
   * MAX_PAYLOAD_BYTES: largest event a client may send, and largest
   * POST /push body; a Redis message may be 64 KiB larger.
   */
  readonly maxPayloadBytes: number;
  /**
   * RATE_LIMIT_EVENTS_PER_SECOND (0: no limit), RATE_LIMIT_BURST,
   * RATE_LIMIT_DISCONNECT_AFTER: the per-connection rate limit on events;
   * unset parts take the library's defaults.
   */
  readonly rateLimit:
    | false
    | {
        eventsPerSecond?: number;
        burst?: number;
        disconnectAfterRefusals?: number;
      };
  /**
   * CONNECTION_RATE_PER_SECOND (0: no limit), CONNECTION_RATE_BURST: new
   * connections per client address; unset parts take the library's defaults.
   */
  readonly connectionRateLimit:
    false | { connectionsPerSecond?: number; burst?: number };
  /** TRUSTED_PROXIES: proxies that append to X-Forwarded-For (1 behind nginx). */
  readonly trustedProxies?: number;
  /** MAX_SOCKETS_PER_USER (0: no limit); unset, the library's default (50). */
  readonly maxSocketsPerUser?: number | false;
  /** MAX_ROOMS_PER_SOCKET; unset, the library's default (1,000). */
  readonly maxRoomsPerSocket?: number;
  /** SOCKET_LEASE_MS: how long a crashed instance's sockets still count. */
  readonly socketLeaseMs?: number;
  /**
   * MAX_BUFFERED_BYTES: most data that may wait unsent for one client before
   * it is disconnected; unset, the library's default. The library checks
   * that one message fits.
   */
  readonly maxBufferedBytes?: number;
  /** NODE_ENV === 'production' */
  readonly isProduction: boolean;
  /** Whether GET /dev/token issues tokens: never in production. */
  readonly isDevTokenEndpointEnabled: boolean;
  /** Whether POST /dev/push publishes pushes: never in production. */
  readonly isDevPushEndpointEnabled: boolean;
  /** Whether GET /metrics exists: with a METRICS_TOKEN, or outside production. */
  readonly isMetricsEndpointEnabled: boolean;
  /** PUSH_API_KEY: the bearer key of POST /push; unset, the endpoint does not exist. */
  readonly pushApiKey?: string;
  /**
   * METRICS_TOKEN: the bearer token of GET /metrics. Unset, /metrics is open
   * outside production and absent in production.
   */
  readonly metricsToken?: string;
  /** SSE_HEARTBEAT_MS: how often GET /events/stream writes a heartbeat comment. */
  readonly sseHeartbeatMs: number;
  /**
   * SHUTDOWN_DELAY_MS: after SIGTERM, how long /health answers 503 while the
   * instance still serves, so that the load balancer stops sending to it.
   */
  readonly shutdownDelayMs: number;
  /** SHUTDOWN_GRACE_MS: the longest a shutdown may take; then the process exits 1. */
  readonly shutdownGraceMs: number;
  /**
   * INSTANCE_ID: names this instance in /health and to its sockets, so that
   * an operator or a test can see which instance served whom. Defaults to
   * the host name and the process id.
   */
  readonly instanceId: string;
}

const MIN_SECRET_BYTES = 32;

/**
 * Reads and checks the configuration. Throws a {@link ConfigError} naming
 * the first variable that is wrong.
 */
export function loadAppConfig(env: Env): AppConfig {
  const isProduction = env.NODE_ENV === 'production';
  const jwt = readJwt(env, isProduction);
  const isDevelopmentSecret = !env.JWT_SECRET && !env.JWT_PUBLIC_KEY;
  const metricsToken = readSecretKey(env, 'METRICS_TOKEN');
  const maxPayloadBytes = readInteger(
    env,
    'MAX_PAYLOAD_BYTES',
    1_000_000,
    1_024,
    100_000_000,
  );
  return {
    port: readInteger(env, 'PORT', 3000, 0, 65_535),
    host: nonEmpty(env.HOST) ?? '127.0.0.1',
    redisUrl: readRedisUrl(env),
    redisClusterNodes: readClusterNodes(env),
    channelPrefix: env.REDIS_CHANNEL_PREFIX ?? '',
    jwt,
    isDevelopmentSecret,
    allowAnonymous: readBoolean(env, 'ALLOW_ANONYMOUS', true),
    corsOrigins: readOrigins(env),
    maxPayloadBytes,
    rateLimit: readRateLimit(env),
    connectionRateLimit: readConnectionRateLimit(env),
    trustedProxies: readInteger(env, 'TRUSTED_PROXIES', undefined, 0, 10),
    maxSocketsPerUser: zeroIsFalse(
      readInteger(env, 'MAX_SOCKETS_PER_USER', undefined, 0, 1_000_000),
    ),
    maxRoomsPerSocket: readInteger(
      env,
      'MAX_ROOMS_PER_SOCKET',
      undefined,
      1,
      1_000_000,
    ),
    socketLeaseMs: readInteger(
      env,
      'SOCKET_LEASE_MS',
      undefined,
      100,
      3_600_000,
    ),
    maxBufferedBytes: readInteger(
      env,
      'MAX_BUFFERED_BYTES',
      undefined,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    isProduction,
    isDevTokenEndpointEnabled: !isProduction && jwt.secret !== undefined,
    isDevPushEndpointEnabled: !isProduction,
    pushApiKey: readSecretKey(env, 'PUSH_API_KEY'),
    metricsToken,
    isMetricsEndpointEnabled: metricsToken !== undefined || !isProduction,
    sseHeartbeatMs: readInteger(
      env,
      'SSE_HEARTBEAT_MS',
      15_000,
      100,
      3_600_000,
    ),
    shutdownDelayMs: readInteger(env, 'SHUTDOWN_DELAY_MS', 2_000, 0, 600_000),
    shutdownGraceMs: readInteger(env, 'SHUTDOWN_GRACE_MS', 10_000, 1, 600_000),
    instanceId: readInstanceId(env),
  };
}

const MIN_KEY_LENGTH = 16;

function zeroIsFalse(value: number | undefined): number | false | undefined {
  return value === 0 ? false : value;
}

/** A rate in a variable where 0 turns the limit off: false, or the rate (undefined when unset). */
function readRate(env: Env, name: string): number | false | undefined {
  return zeroIsFalse(readInteger(env, name, undefined, 0, 1_000_000));
}

function readConnectionRateLimit(env: Env): AppConfig['connectionRateLimit'] {
  const connectionsPerSecond = readRate(env, 'CONNECTION_RATE_PER_SECOND');
  return connectionsPerSecond === false
    ? false
    : {
        connectionsPerSecond,
        burst: readInteger(
          env,
          'CONNECTION_RATE_BURST',
          undefined,
          1,
          1_000_000,
        ),
      };
}

function readRateLimit(env: Env): AppConfig['rateLimit'] {
  const eventsPerSecond = readRate(env, 'RATE_LIMIT_EVENTS_PER_SECOND');
  return eventsPerSecond === false
    ? false
    : {
        eventsPerSecond,
        burst: readInteger(env, 'RATE_LIMIT_BURST', undefined, 1, 1_000_000),
        disconnectAfterRefusals: readInteger(
          env,
          'RATE_LIMIT_DISCONNECT_AFTER',
          undefined,
          1,
          1_000_000_000,
        ),
      };
}

function readSecretKey(env: Env, name: string): string | undefined {
  const key = nonEmpty(env[name]);
  if (key !== undefined && key.length < MIN_KEY_LENGTH) {
    throw new ConfigError(
      name,
      `must be at least ${MIN_KEY_LENGTH} characters long; generate one with: openssl rand -hex 32`,
    );
  }
  return key;
}

function readJwt(env: Env, isProduction: boolean): AppConfig['jwt'] {
  const secret = nonEmpty(env.JWT_SECRET);
  const publicKey = nonEmpty(env.JWT_PUBLIC_KEY)?.replace(/\\n/g, '\n');
  const claims = {
    issuer: nonEmpty(env.JWT_ISSUER),
    audience: nonEmpty(env.JWT_AUDIENCE),
  };
  if (secret !== undefined && publicKey !== undefined) {
    throw new ConfigError(
      'JWT_SECRET',
      'and JWT_PUBLIC_KEY are both set; set only one of them',
    );
  }
  if (publicKey !== undefined) {
    try {
      createPublicKey(publicKey);
    } catch {
      throw new ConfigError(
        'JWT_PUBLIC_KEY',
        'is not a PEM public key (-----BEGIN PUBLIC KEY-----; newlines may be written \\n)',
      );
    }
    return { publicKey, ...claims };
  }
  if (secret !== undefined) {
    if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
      throw new ConfigError(
        'JWT_SECRET',
        `must be at least ${MIN_SECRET_BYTES} bytes long; generate one with: openssl rand -base64 48`,
      );
    }
    return { secret, ...claims };
  }
  if (isProduction) {
    throw new ConfigError(
      'JWT_SECRET',
      'is required when NODE_ENV=production (or set JWT_PUBLIC_KEY); generate one with: openssl rand -base64 48',
    );
  }
  return { secret: DEVELOPMENT_JWT_SECRET, ...claims };
}

const INSTANCE_ID = /^[\w.:@-]{1,128}$/;

function readInstanceId(env: Env): string {
  const id = nonEmpty(env.INSTANCE_ID) ?? `${hostname()}-${process.pid}`;
  if (!INSTANCE_ID.test(id)) {
    throw new ConfigError(
      'INSTANCE_ID',
      `must be 1 to 128 letters, digits or ._:@-, not "${id}"`,
    );
  }
  return id;
}

function readRedisUrl(env: Env): string | undefined {
  const url = nonEmpty(env.REDIS_URL);
  if (url === undefined) {
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(
      'REDIS_URL',
      'is not a URL; expected redis://host:6379 or rediss://host:6380',
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(
      'REDIS_URL',
      `must use redis:// or rediss://, not ${parsed.protocol}//`,
    );
  }
  return url;
}

function readClusterNodes(env: Env): string[] | undefined {
  const raw = nonEmpty(env.REDIS_CLUSTER_NODES);
  if (raw === undefined) {
    return undefined;
  }
  if (nonEmpty(env.REDIS_URL) !== undefined) {
    throw new ConfigError(
      'REDIS_CLUSTER_NODES',
      'and REDIS_URL are both set; set REDIS_URL for one Redis, or REDIS_CLUSTER_NODES for a cluster',
    );
  }
  return raw.split(',').map((entry) => {
    const node = entry.trim();
    if (!/^[\w.-]+:\d{1,5}$/.test(node)) {
      throw new ConfigError(
        'REDIS_CLUSTER_NODES',
        `has "${node}"; expected host:port,host:port,...`,
      );
    }
    return node;
  });
}

function readOrigins(env: Env): string[] {
  const raw = nonEmpty(env.CORS_ORIGINS);
  if (raw === undefined) {
    return [];
  }
  return raw.split(',').map((entry) => {
    const origin = entry.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (
      !parsed ||
      !/^https?:$/.test(parsed.protocol) ||
      parsed.origin !== origin
    ) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `has "${origin}", which is not an origin; expected a comma-separated list like https://app.example.com,http://localhost:5173`,
      );
    }
    return origin;
  });
}
