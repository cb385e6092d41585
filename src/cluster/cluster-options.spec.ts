import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '../app/config/config.error';
import { readClusterOptions } from './cluster-options';

describe('readClusterOptions', () => {
  it('defaults to 3 instances on 3001-3003 behind nginx on 8080', () => {
    expect(readClusterOptions({})).toEqual({
      instances: 3,
      nginxPort: 8080,
      firstAppPort: 3001,
      redisUrl: undefined,
    });
  });

  it('reads INSTANCES, NGINX_PORT, FIRST_APP_PORT and REDIS_URL', () => {
    expect(
      readClusterOptions({
        INSTANCES: '5',
        NGINX_PORT: '9000',
        FIRST_APP_PORT: '4000',
        REDIS_URL: 'redis://127.0.0.1:6379',
      }),
    ).toEqual({
      instances: 5,
      nginxPort: 9000,
      firstAppPort: 4000,
      redisUrl: 'redis://127.0.0.1:6379',
    });
  });

  it('reads REDIS_SHARDS, for a Redis Cluster of that many masters', () => {
    expect(readClusterOptions({ REDIS_SHARDS: '3' }).redisShards).toBe(3);
  });

  it.each([
    [{ REDIS_SHARDS: '2' }, 'REDIS_SHARDS must be an integer from 3 to 16'],
    [
      { REDIS_SHARDS: '3', REDIS_URL: 'redis://x:1' },
      'REDIS_SHARDS and REDIS_URL are both set',
    ],
    [{ INSTANCES: '0' }, 'INSTANCES must be an integer from 1 to 16, not "0"'],
    [{ NGINX_PORT: 'http' }, 'NGINX_PORT must be an integer from 1 to 65535'],
    [
      { NGINX_PORT: '3002' },
      "NGINX_PORT (3002) falls among the instances' ports 3001-3003",
    ],
  ])('stops at %j with a message naming the variable', (env, message) => {
    expect(() => readClusterOptions(env)).toThrow(ConfigError);
    expect(() => readClusterOptions(env)).toThrow(
      `Invalid configuration: ${message}`,
    );
  });
});
