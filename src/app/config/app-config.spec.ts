import { generateKeyPairSync } from 'node:crypto';
import { hostname } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { DEVELOPMENT_JWT_SECRET, loadAppConfig } from './app-config';
import { ConfigError } from './config.error';

const SECRET = 'a-production-secret-of-32-bytes-or-more';

describe('loadAppConfig', () => {
  it('has working defaults for development', () => {
    expect(loadAppConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      redisUrl: undefined,
      redisClusterNodes: undefined,
      channelPrefix: '',
      jwt: {
        secret: DEVELOPMENT_JWT_SECRET,
        issuer: undefined,
        audience: undefined,
      },
      isDevelopmentSecret: true,
      allowAnonymous: true,
      corsOrigins: [],
      maxPayloadBytes: 1_000_000,
      rateLimit: {
        eventsPerSecond: undefined,
        burst: undefined,
        disconnectAfterRefusals: undefined,
      },
      connectionRateLimit: {
        connectionsPerSecond: undefined,
        burst: undefined,
      },
      trustedProxies: undefined,
      maxSocketsPerUser: undefined,
      socketLeaseMs: undefined,
      maxBufferedBytes: undefined,
      isProduction: false,
      isDevTokenEndpointEnabled: true,
      isDevPushEndpointEnabled: true,
      metricsToken: undefined,
      isMetricsEndpointEnabled: true,
      sseHeartbeatMs: 15_000,
      shutdownDelayMs: 2_000,
      shutdownGraceMs: 10_000,
      instanceId: `${hostname()}-${process.pid}`,
    });
  });

  it('reads every variable', () => {
    const config = loadAppConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      REDIS_URL: 'redis://redis:6379/0',
      REDIS_CHANNEL_PREFIX: 'app:',
      JWT_SECRET: SECRET,
      JWT_ISSUER: 'issuer',
      JWT_AUDIENCE: 'audience',
      ALLOW_ANONYMOUS: 'false',
      CORS_ORIGINS: 'https://a.example, http://localhost:5173',
      MAX_PAYLOAD_BYTES: '2048',
      MAX_BUFFERED_BYTES: '65536',
      RATE_LIMIT_EVENTS_PER_SECOND: '10',
      RATE_LIMIT_BURST: '20',
      RATE_LIMIT_DISCONNECT_AFTER: '30',
      MAX_SOCKETS_PER_USER: '0',
      MAX_ROOMS_PER_SOCKET: '20',
      CONNECTION_RATE_PER_SECOND: '5',
      CONNECTION_RATE_BURST: '9',
      TRUSTED_PROXIES: '1',
      SOCKET_LEASE_MS: '1000',
      NODE_ENV: 'production',
      INSTANCE_ID: 'app-2',
      PUSH_API_KEY: 'a-push-api-key-of-32-characters!',
      METRICS_TOKEN: 'a-metrics-token-of-32-characters',
      SSE_HEARTBEAT_MS: '5000',
      SHUTDOWN_DELAY_MS: '500',
      SHUTDOWN_GRACE_MS: '4000',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      redisUrl: 'redis://redis:6379/0',
      redisClusterNodes: undefined,
      channelPrefix: 'app:',
      jwt: { secret: SECRET, issuer: 'issuer', audience: 'audience' },
      isDevelopmentSecret: false,
      allowAnonymous: false,
      corsOrigins: ['https://a.example', 'http://localhost:5173'],
      maxPayloadBytes: 2048,
      rateLimit: {
        eventsPerSecond: 10,
        burst: 20,
        disconnectAfterRefusals: 30,
      },
      maxBufferedBytes: 65_536,
      connectionRateLimit: { connectionsPerSecond: 5, burst: 9 },
      trustedProxies: 1,
      maxSocketsPerUser: false,
      maxRoomsPerSocket: 20,
      socketLeaseMs: 1000,
      isProduction: true,
      isDevTokenEndpointEnabled: false,
      isDevPushEndpointEnabled: false,
      pushApiKey: 'a-push-api-key-of-32-characters!',
      metricsToken: 'a-metrics-token-of-32-characters',
      isMetricsEndpointEnabled: true,
      sseHeartbeatMs: 5000,
      shutdownDelayMs: 500,
      shutdownGraceMs: 4000,
      instanceId: 'app-2',
    });
  });

  it('reads the seed nodes of a Redis Cluster', () => {
    expect(
      loadAppConfig({ REDIS_CLUSTER_NODES: 'redis-1:7000, 10.0.0.2:7001' })
        .redisClusterNodes,
    ).toEqual(['redis-1:7000', '10.0.0.2:7001']);
  });

  it('turns the rate limit off with RATE_LIMIT_EVENTS_PER_SECOND=0', () => {
    expect(loadAppConfig({ RATE_LIMIT_EVENTS_PER_SECOND: '0' }).rateLimit).toBe(
      false,
    );
  });

  it('accepts a PEM public key with escaped newlines, and issues no dev tokens with it', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const config = loadAppConfig({ JWT_PUBLIC_KEY: pem.replace(/\n/g, '\\n') });
    expect(config.jwt.publicKey).toBe(pem);
    expect(config.isDevTokenEndpointEnabled).toBe(false);
  });

  it.each([
    [
      { NODE_ENV: 'production' },
      'JWT_SECRET is required when NODE_ENV=production',
    ],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 32 bytes long'],
    [
      { PUSH_API_KEY: 'too-short' },
      'PUSH_API_KEY must be at least 16 characters long',
    ],
    [
      { METRICS_TOKEN: 'short' },
      'METRICS_TOKEN must be at least 16 characters long',
    ],
    [
      { JWT_SECRET: SECRET, JWT_PUBLIC_KEY: 'x' },
      'JWT_SECRET and JWT_PUBLIC_KEY are both set',
    ],
    [{ JWT_PUBLIC_KEY: 'not a key' }, 'JWT_PUBLIC_KEY is not a PEM public key'],
    [
      { PORT: 'eighty' },
      'PORT must be an integer from 0 to 65535, not "eighty"',
    ],
    [{ PORT: '70000' }, 'PORT must be an integer from 0 to 65535'],
    [
      { REDIS_URL: 'localhost:6379' },
      'REDIS_URL must use redis:// or rediss://',
    ],
    [
      { REDIS_URL: 'http://x' },
      'REDIS_URL must use redis:// or rediss://, not http://',
    ],
    [
      { ALLOW_ANONYMOUS: 'maybe' },
      'ALLOW_ANONYMOUS must be true or false, not "maybe"',
    ],
    [
      { CORS_ORIGINS: 'https://a.example/path' },
      'CORS_ORIGINS has "https://a.example/path"',
    ],
    [{ CORS_ORIGINS: '*' }, 'CORS_ORIGINS has "*", which is not an origin'],
    [
      { MAX_PAYLOAD_BYTES: '10' },
      'MAX_PAYLOAD_BYTES must be an integer from 1024',
    ],
    [
      { MAX_BUFFERED_BYTES: '0' },
      'MAX_BUFFERED_BYTES must be an integer from 1',
    ],
    [{ RATE_LIMIT_BURST: '0' }, 'RATE_LIMIT_BURST must be an integer from 1'],
    [
      { REDIS_CLUSTER_NODES: 'a:1', REDIS_URL: 'redis://b:2' },
      'REDIS_CLUSTER_NODES and REDIS_URL are both set',
    ],
    [
      { REDIS_CLUSTER_NODES: 'a:1,redis://b:2' },
      'REDIS_CLUSTER_NODES has "redis://b:2"; expected host:port,host:port,...',
    ],
    [
      { INSTANCE_ID: 'app 1' },
      'INSTANCE_ID must be 1 to 128 letters, digits or ._:@-, not "app 1"',
    ],
  ])('stops at %j with a message naming the variable', (env, message) => {
    expect(() => loadAppConfig(env)).toThrow(ConfigError);
    expect(() => loadAppConfig(env)).toThrow(
      `Invalid configuration: ${message}`,
    );
  });
});
