// `npm run cluster`: Redis, N instances of the reference app and nginx in
// front of them, all on this machine. Ctrl-C stops everything it started.
import { readConfigOrExit } from '../app/config/config.error';
import { type Cluster, startCluster } from './cluster';
import { readClusterOptions } from './cluster-options';

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function summary(cluster: Cluster, nginxPort: number): string[] {
  const channel = `${process.env.REDIS_CHANNEL_PREFIX ?? ''}REDIS_SOCKET_EVENT_SEND_NAME`;
  return [
    '',
    `Cluster ready: http://localhost:${nginxPort} (nginx, sticky by client address)`,
    '',
    'Tabs of one browser share its address, so nginx sends them all to one',
    "instance. To watch tabs on different instances sync, open an instance's",
    'own port in a second tab (this bypasses nginx):',
    ...cluster.instances.map(
      ({ id, port, process }) =>
        `  ${id}  http://localhost:${port}  pid ${process.pid}`,
    ),
    cluster.redisCluster
      ? `  redis  a cluster of ${cluster.redisCluster.nodes.length} nodes: ${cluster.redisCluster.seeds.join(' ')}`
      : `  redis  ${cluster.redisUrl}${cluster.redis ? `  pid ${cluster.redis.pid}` : ' (REDIS_URL)'}`,
    `  nginx  pid ${cluster.nginx.pid}; which instance served whom: tail -f ${cluster.accessLog}`,
    '',
    'Push to user 42 from "another service":',
    cluster.redisCluster
      ? `  redis-cli -c -u ${cluster.redisUrl} SPUBLISH ${channel}:42 '{"event":"push","data":"hello"}'`
      : `  redis-cli -u ${cluster.redisUrl} PUBLISH ${channel} '{"userId":"42","event":"push","data":"hello"}'`,
    'Kill an instance (kill -9 <pid>) to watch its clients move to the others.',
    'Ctrl-C stops everything.',
    '',
  ];
}

async function main(): Promise<void> {
  const options = readConfigOrExit(() => readClusterOptions(process.env));
  if (!options) {
    return;
  }
  const appPorts = Array.from(
    { length: options.instances },
    (_, index) => options.firstAppPort + index,
  );
  print(
    `Starting ${options.redisShards ? `a Redis Cluster of ${options.redisShards} shards, ` : options.redisUrl ? '' : 'Redis, '}${appPorts.length} instances on ports ${appPorts.join(', ')}, and nginx on ${options.nginxPort}`,
  );

  // Installed before anything starts, so that a signal during start-up
  // still stops what has started. A Ctrl-C in the terminal also reaches the
  // children, which are in this process's group; stopping them again is
  // harmless.
  let cluster: Cluster | undefined;
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      return;
    }
    stopping = true;
    if (!cluster) {
      print(`\n${signal}: stopping as soon as start-up ends`);
      return;
    }
    print(`\n${signal}: stopping nginx, the instances and Redis`);
    await cluster.stop();
    print('Stopped.');
  };
  process.once('SIGINT', (signal) => void stop(signal));
  process.once('SIGTERM', (signal) => void stop(signal));

  try {
    cluster = await startCluster({
      appPorts,
      nginxPort: options.nginxPort,
      redisUrl: options.redisUrl,
      redisShards: options.redisShards,
      onLine: (name, line) => print(`[${name.padEnd(5)}] ${line}`),
    });
  } catch (error) {
    // The terminal's Ctrl-C reached the children too: not a failure.
    if (stopping) {
      print('Stopped.');
      return;
    }
    throw error;
  }
  if (stopping) {
    await cluster.stop();
    print('Stopped.');
    return;
  }
  summary(cluster, options.nginxPort).forEach(print);
  for (const part of [
    cluster.nginx,
    ...cluster.instances.map((i) => i.process),
  ]) {
    void part.exited.then(() => {
      if (!stopping) {
        print(`[${part.name.padEnd(5)}] ${part.describeExit()}`);
      }
    });
  }
}

main().catch((error: unknown) => {
  console.error(
    `Could not start the cluster: ${(error as Error)?.message ?? String(error)}`,
  );
  process.exitCode = 1;
});
