import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { useNginxCluster } from './support/nginx-cluster';
import { useResources } from './support/resources';

// Where no second client address can be chosen (macOS has only 127.0.0.1 on
// loopback), the cluster must still start. Here nginx hashes on a constant,
// so every client address reaches the same instance and no entry point per
// instance can exist.
const folder = mkdtempSync(join(tmpdir(), 'entry-points-'));
const constantHash = join(folder, 'nginx.conf');
writeFileSync(
  constantHash,
  readFileSync('nginx.conf', 'utf8').replace(
    'hash $remote_addr consistent;',
    'hash "one key for everyone" consistent;',
  ),
);

describe('a cluster where no client address reaches a second instance', () => {
  const resources = useResources();
  const fixture = useNginxCluster(resources, 2, {
    withEntryPerInstance: true,
    nginxConfig: constantHash,
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('starts without entry points per instance, and says why', async () => {
    expect(fixture.cluster.entryPoints).toEqual([]);
    expect(fixture.cluster.entryPointsUnavailable).toMatch(
      /^Only 1 of 2 instances are reachable from 127\.0\.0\.2-254: app-\d$/,
    );
    expect((await fetch(`${fixture.cluster.url}/health`)).status).toBe(200);
  });
});
