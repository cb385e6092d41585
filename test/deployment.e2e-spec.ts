import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { findNginx } from '../src/cluster/cluster';
import {
  mapUpstreamHosts,
  parseUpstreamServers,
} from '../src/cluster/nginx-config';
import { startInstance } from './support/app-instance';
import { freePort } from '../src/cluster/free-port';
import { useResources } from './support/resources';

const run = promisify(execFile);

interface ComposeService {
  build?: unknown;
  image?: string;
  ports?: string[];
  expose?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition?: string }>;
  volumes?: string[];
}

const NGINX_CONF = readFileSync('nginx.conf', 'utf8');
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), {
  merge: true,
}) as { services: Record<string, ComposeService> };
const services = compose.services;
const appServices = Object.entries(services).filter(([, s]) => s.build);

describe('docker-compose.yml and nginx.conf', () => {
  it('lists in the nginx upstream exactly the app services, at the port each listens on', () => {
    const upstream = parseUpstreamServers(NGINX_CONF);
    expect(upstream.map((s) => s.host).sort()).toEqual(
      appServices.map(([name]) => name).sort(),
    );
    expect(appServices).toHaveLength(3);
    for (const { host, port } of upstream) {
      const app = services[host];
      expect(app.environment?.PORT).toBe(String(port));
      expect(app.environment?.HOST).toBe('0.0.0.0');
      expect(app.expose).toContain(String(port));
    }
  });

  it('names each replica after its service, so /health tells them apart', () => {
    for (const [name, app] of appServices) {
      expect(app.environment?.INSTANCE_ID).toBe(name);
      expect(app.environment?.REDIS_URL).toBe('redis://redis:6379');
    }
    expect(services.redis.image).toMatch(/^redis:7/);
  });

  it('publishes only the nginx port, at the port nginx listens on', () => {
    const publishing = Object.entries(services).filter(([, s]) => s.ports);
    expect(publishing.map(([name]) => name)).toEqual(['nginx']);
    const listen = /^\s*listen\s+(\d+);/m.exec(NGINX_CONF)?.[1];
    expect(services.nginx.ports).toEqual([`127.0.0.1:${listen}:${listen}`]);
    expect(services.nginx.volumes).toContain(
      './nginx.conf:/etc/nginx/nginx.conf:ro',
    );
  });

  it('gives every service a health check, and waits for health before starting the next', () => {
    for (const [name, service] of Object.entries(services)) {
      expect([name, service.healthcheck?.test?.[0]]).toEqual([name, 'CMD']);
    }
    for (const [, app] of appServices) {
      expect(app.depends_on).toEqual({
        redis: { condition: 'service_healthy' },
      });
    }
    expect(services.nginx.depends_on).toEqual(
      Object.fromEntries(
        appServices.map(([name]) => [name, { condition: 'service_healthy' }]),
      ),
    );
  });

  it('passes nginx -t, with the service names mapped to loopback addresses', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'nginx-t-'));
    try {
      const hosts = parseUpstreamServers(NGINX_CONF).map((s) => s.host);
      const config = mapUpstreamHosts(
        NGINX_CONF,
        Object.fromEntries(hosts.map((host, i) => [host, `127.0.0.${i + 1}`])),
      );
      const path = join(folder, 'nginx.conf');
      await writeFile(path, config);
      // access_log /dev/stdout is opened by path; a pipe's socket cannot be.
      const stdout = await open(join(folder, 'stdout'), 'w');
      const nginx = spawn(
        findNginx(),
        ['-t', '-e', 'stderr', '-p', folder, '-c', path],
        { stdio: ['ignore', stdout.fd, 'pipe'] },
      );
      let stderr = '';
      nginx.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(nginx, 'close')) as [number | null];
      await stdout.close();
      expect({ code, stderr }).toEqual({
        code: 0,
        stderr: expect.stringContaining('test is successful'),
      });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync('Dockerfile', 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const final = stages[stages.length - 1];

  it('builds in one stage and runs from another, with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm install --omit=dev/);
    const copiedModules = /COPY --from=(\S+) \/app\/node_modules/.exec(final);
    expect(copiedModules).not.toBeNull();
    const source = stages.find((stage) =>
      stage.startsWith(`node:20-alpine AS ${copiedModules?.[1]}`),
    );
    expect(source).toMatch(/npm install --omit=dev/);
  });

  it('runs as a non-root user, with a health check', () => {
    expect(final).toMatch(/^USER node$/m);
    expect(final).toMatch(
      /^HEALTHCHECK .*\n?.*CMD \["node", "dist\/healthcheck\.js"\]/m,
    );
    expect(final).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });
});

describe('the built app', () => {
  const resources = useResources();
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };
  // What a user's app provides (peers) or installs with the library.
  const libraryRuntime = [
    ...Object.keys(manifest.dependencies),
    ...Object.keys(manifest.peerDependencies),
  ];

  beforeAll(() => {
    expect(readdirSync('dist')).toContain('main.js');
  });

  /** The packages that the compiled files below `folder` require. */
  function packagesRequiredIn(
    folder: string,
    except: readonly string[] = [],
  ): Set<string> {
    const files = (readdirSync(folder, { recursive: true }) as string[]).filter(
      (file) =>
        file.endsWith('.js') &&
        !except.some((skipped) => file.startsWith(skipped)),
    );
    const imported = new Set<string>();
    for (const file of files) {
      const code = readFileSync(join(folder, file), 'utf8');
      for (const [, specifier] of code.matchAll(/require\("([^".][^"]*)"\)/g)) {
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0];
        if (!builtinModules.includes(name.replace(/^node:/, ''))) {
          imported.add(name);
        }
      }
    }
    return imported;
  }

  it('library: requires only its dependencies and peer dependencies', () => {
    const imported = packagesRequiredIn('dist/lib');
    expect(
      [...imported].filter((name) => !libraryRuntime.includes(name)),
    ).toEqual([]);
    expect(imported).toContain('@nestjs/platform-socket.io');
  });

  it("app: requires only what the image installs (the library's runtime and the app's own, as the Dockerfile lists them)", () => {
    // The Dockerfile moves the peers and these devDependencies into the
    // image's dependencies.
    const listed =
      /const runtime = \[\.\.\.Object\.keys\(p\.peerDependencies\), ([^\]]*)\]/.exec(
        readFileSync('Dockerfile', 'utf8'),
      );
    const appRuntime = [...(listed?.[1] ?? '').matchAll(/'([^']+)'/g)].map(
      ([, name]) => name,
    );
    expect(appRuntime).toContain('@nestjs/platform-express');
    const imageRuntime = [...libraryRuntime, ...appRuntime];
    // The benchmark and the soak run from a checkout, with dev dependencies;
    // the image never runs them.
    const imported = packagesRequiredIn('dist', ['bench/', 'soak/']);
    expect(
      [...imported].filter((name) => !imageRuntime.includes(name)),
    ).toEqual([]);
    expect(Object.keys(manifest.dependencies)).not.toContain(
      '@nestjs/platform-express',
    );
  });

  it('reports health to the container: exit 0 when /health is 200, 1 with the reason otherwise', async () => {
    const app = resources.forTest(await startInstance(), (a) => a.close());
    const port = new URL(app.url).port;
    const healthcheck = resolve('dist/healthcheck.js');

    await expect(
      run(process.execPath, [healthcheck], {
        env: { PATH: process.env.PATH, PORT: port },
      }),
    ).resolves.toMatchObject({ stderr: '' });

    const closedPort = String(await freePort());
    await expect(
      run(process.execPath, [healthcheck], {
        env: { PATH: process.env.PATH, PORT: closedPort },
      }),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        `http://127.0.0.1:${closedPort}/health did not answer`,
      ),
    });
  });
});
