import { ConfigError } from '../app/config/config.error';
import { type Env, nonEmpty, readInteger } from '../app/config/env';

/** What the command reads from the environment. */
export interface ClusterCommandOptions {
  /** INSTANCES: how many app instances. */
  instances: number;
  /** NGINX_PORT: the entry point's port. */
  nginxPort: number;
  /** FIRST_APP_PORT: the instances listen on this port and the next ones. */
  firstAppPort: number;
  /** REDIS_URL: a Redis to use instead of starting one. */
  redisUrl?: string;
  /** REDIS_SHARDS: start a Redis Cluster of this many masters (and a replica each) instead of one Redis. */
  redisShards?: number;
}

/** Reads the command's options; throws a ConfigError naming a bad variable. */
export function readClusterOptions(env: Env): ClusterCommandOptions {
  const instances = readInteger(env, 'INSTANCES', 3, 1, 16);
  const nginxPort = readInteger(env, 'NGINX_PORT', 8080, 1, 65_535);
  const firstAppPort = readInteger(
    env,
    'FIRST_APP_PORT',
    3001,
    1,
    65_535 - instances,
  );
  if (nginxPort >= firstAppPort && nginxPort < firstAppPort + instances) {
    throw new ConfigError(
      'NGINX_PORT',
      `(${nginxPort}) falls among the instances' ports ${firstAppPort}-${firstAppPort + instances - 1}; choose another`,
    );
  }
  const redisUrl = nonEmpty(env.REDIS_URL);
  const redisShards = readInteger(env, 'REDIS_SHARDS', undefined, 3, 16);
  if (redisShards !== undefined && redisUrl !== undefined) {
    throw new ConfigError(
      'REDIS_SHARDS',
      'and REDIS_URL are both set; REDIS_SHARDS starts a Redis Cluster of its own',
    );
  }
  return { instances, nginxPort, firstAppPort, redisUrl, redisShards };
}
