import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ManagedProcess } from '../src/cluster/managed-process';
import { withDeadline } from './support/deadline';
import { freePort } from '../src/cluster/free-port';
import { CLUSTER_START_TIMEOUT_MS } from './support/nginx-cluster';
import { useResources } from './support/resources';

/** Whether a port on 127.0.0.1 can be bound right now. */
function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

/** The first of `count` consecutive free ports. */
async function consecutiveFreePorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const first = await freePort();
    const rest = await Promise.all(
      Array.from({ length: count - 1 }, (_, i) => isFree(first + i + 1)),
    );
    if (first + count <= 65_535 && rest.every(Boolean)) {
      return first;
    }
  }
  throw new Error(`found no ${count} consecutive free ports`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run cluster (node dist/cluster/main.js)', () => {
  const resources = useResources();

  it('serves through nginx, and on Ctrl-C stops every process it started', async () => {
    const nginxPort = await freePort();
    const firstAppPort = await consecutiveFreePorts(2);
    const lines: string[] = [];
    const command = resources.forTest(
      new ManagedProcess({
        name: 'cluster',
        command: process.execPath,
        args: [resolve('dist/cluster/main.js')],
        env: {
          PATH: process.env.PATH,
          NO_COLOR: '1',
          INSTANCES: '2',
          NGINX_PORT: String(nginxPort),
          FIRST_APP_PORT: String(firstAppPort),
        },
        // All of it: the summary must not fall out of a kept tail.
        onLine: (_name, line) => lines.push(line),
      }),
      (cluster) => cluster.stop(),
    );
    const output = () => lines.join('\n');

    await command.waitUntilReady(
      () => lines.includes('Ctrl-C stops everything.'),
      'the cluster to be ready',
      CLUSTER_START_TIMEOUT_MS,
    );
    const pids = [
      ...output().matchAll(/^ {2}(app-\d|redis|nginx) .*pid (\d+)/gm),
    ].map((match) => ({ name: match[1], pid: Number(match[2]) }));
    expect(pids.map((p) => p.name)).toEqual([
      'app-1',
      'app-2',
      'redis',
      'nginx',
    ]);

    const health = await fetch(`http://127.0.0.1:${nginxPort}/health`);
    expect(health.status).toBe(200);
    expect(['app-1', 'app-2']).toContain(
      ((await health.json()) as { instance: string }).instance,
    );

    // Each instance's own URL, for a second tab on another instance.
    const direct = [
      ...output().matchAll(/^ {2}(app-\d) {2}http:\/\/localhost:(\d+) /gm),
    ];
    expect(direct.map((entry) => entry[1])).toEqual(['app-1', 'app-2']);
    for (const [, instance, port] of direct) {
      const answer = await fetch(`http://127.0.0.1:${port}/health`);
      expect(await answer.json()).toMatchObject({ instance });
    }

    command.kill('SIGINT');
    const { code } = await withDeadline(
      command.exited,
      'the cluster command to exit',
      20_000,
    );

    expect(code).toBe(0);
    expect(lines).toContain('Stopped.');
    expect(pids.filter(({ pid }) => isAlive(pid))).toEqual([]);
  });
});
