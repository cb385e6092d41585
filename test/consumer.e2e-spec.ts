import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { ManagedProcess } from '../src/cluster/managed-process';
import { TEST_JWT_SECRET } from './support/app-instance';
import { connect } from './support/clients';
import { freePort } from '../src/cluster/free-port';
import { readReadmeApp } from './support/readme-app';
import { flush, redisClient } from './support/redis-client';
import { startRedisServer } from './support/redis-server';
import { useResources } from './support/resources';

const run = promisify(execFile);
const PACKAGE_NAME = 'nestjs-redis-propagator';
/** Installing from the registry and compiling take a while on a busy machine. */
const SETUP_TIMEOUT_MS = 10 * 60_000;

/**
 * The versions a new user gets today: the newest Nest 12 and Socket.IO 4.8,
 * whatever this project itself builds with. Packages the README names that
 * are not here get `latest`.
 */
const RANGES: Record<string, string> = {
  '@nestjs/common': '^12.0.0',
  '@nestjs/core': '^12.0.0',
  '@nestjs/platform-express': '^12.0.0',
  '@nestjs/platform-socket.io': '^12.0.0',
  '@nestjs/websockets': '^12.0.0',
  'socket.io': '~4.8.0',
  'reflect-metadata': '^0.2.0',
  rxjs: '^7.8.0',
};

/** What `nest new` gives an app before the README's install line. */
const STARTER = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  'reflect-metadata',
  'rxjs',
];

/** The Nest 12 `ts` template's compiler options, with `strict` on. */
const TSCONFIG = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    resolvePackageJsonExports: true,
    esModuleInterop: true,
    isolatedModules: true,
    declaration: true,
    removeComments: true,
    emitDecoratorMetadata: true,
    experimentalDecorators: true,
    allowSyntheticDefaultImports: true,
    target: 'ES2023',
    types: ['node'],
    sourceMap: true,
    outDir: './dist',
    rootDir: '.',
    skipLibCheck: true,
    strict: true,
    strictPropertyInitialization: false,
  },
  include: ['src'],
};

async function npm(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('npm', args, {
    cwd,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

async function versionIn(app: string, name: string): Promise<string> {
  const manifest = await readFile(
    join(app, 'node_modules', name, 'package.json'),
    'utf8',
  );
  return (JSON.parse(manifest) as { version: string }).version;
}

/**
 * The README's app, built as a user would build it: a scratch Nest 12 app in
 * a temporary folder that installs the packed tarball and the newest Nest 12
 * and Socket.IO 4.8 from the registry.
 */
describe('the packed package in a new Nest app (the README snippet)', () => {
  const resources = useResources();
  let app: string;
  let typeCheck: { code: number; output: string };

  beforeAll(async () => {
    const workdir = resources.forSuite(
      await mkdtemp(join(tmpdir(), 'redis-propagator-consumer-')),
      (dir) => rm(dir, { recursive: true, force: true }),
    );
    // prepack builds the library first, as `npm publish` would.
    const packed = JSON.parse(
      await npm(resolve('.'), [
        'pack',
        '--json',
        '--pack-destination',
        workdir,
      ]),
    ) as { filename: string; files: { path: string }[] }[];
    const tarball = join(workdir, packed[0].filename);
    expect(
      packed[0].files
        .map((file) => file.path)
        .filter((path) => !/^dist\/lib\/.+\.(js|d\.ts)$/.test(path))
        .sort(),
    ).toEqual([
      'LICENSE',
      'README.md',
      'dist/lib/contract/propagator-message.schema.json',
      'package.json',
    ]);

    const readme = readReadmeApp();
    app = join(workdir, 'app');
    for (const [path, code] of readme.files) {
      await mkdir(dirname(join(app, path)), { recursive: true });
      await writeFile(join(app, path), code);
    }
    const dependencies = Object.fromEntries(
      [...new Set([...STARTER, ...readme.packages])].map((name) => [
        name,
        name === PACKAGE_NAME ? `file:${tarball}` : (RANGES[name] ?? 'latest'),
      ]),
    );
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'consumer-app',
        private: true,
        dependencies,
        devDependencies: { typescript: '^6.0.0', '@types/node': '^24.0.0' },
      }),
    );
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    await npm(app, ['install', '--no-audit', '--no-fund', '--prefer-offline']);

    const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
    typeCheck = await run(process.execPath, [tsc, '--noEmit', '-p', app]).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        output: error.stdout + error.stderr,
      }),
    );
    if (typeCheck.code === 0) {
      await run(process.execPath, [tsc, '-p', app]);
    }
  }, SETUP_TIMEOUT_MS);

  it("installs one copy of Nest and of Socket.IO: the app's, the newest 12.x and 4.8.x", async () => {
    const [nest, socketIo] = await Promise.all([
      versionIn(app, '@nestjs/common'),
      versionIn(app, 'socket.io'),
    ]);
    const copies = async (name: string) =>
      (
        JSON.parse(await npm(app, ['query', `[name="${name}"]`])) as {
          location: string;
        }[]
      ).map((node) => node.location);
    process.stdout.write(
      `consumer app: @nestjs/common ${nest}, socket.io ${socketIo}\n`,
    );
    expect(nest).toMatch(/^12\./);
    expect(socketIo).toMatch(/^4\.8\./);
    expect(await copies('@nestjs/common')).toEqual([
      'node_modules/@nestjs/common',
    ]);
    // The library uses the app's socket.io, never a copy of its own.
    expect(await copies('socket.io')).not.toContainEqual(
      expect.stringContaining(`${PACKAGE_NAME}/node_modules`),
    );
  });

  it('type-checks under strict with tsc --noEmit', () => {
    process.stdout.write(
      `consumer app: tsc --noEmit exit ${typeCheck.code}${typeCheck.output ? `\n${typeCheck.output}` : ', no output'}\n`,
    );
    expect(typeCheck).toEqual({ code: 0, output: '' });
  });

  it('ships the Nest-free publisher, the contract schema and the propagator command', async () => {
    const probe = `
      const { createPropagatorPublisher } = require('${PACKAGE_NAME}/publisher');
      const schema = require('${PACKAGE_NAME}/schema.json');
      console.log(typeof createPropagatorPublisher, schema.$id);`;
    const { stdout } = await run(process.execPath, ['-e', probe], { cwd: app });
    expect(stdout.trim()).toBe(
      'function urn:nestjs-redis-propagator:propagator-message:1',
    );

    const bin = join(app, 'node_modules', '.bin', 'propagator');
    const usage = await run(bin, ['--help'], { cwd: app });
    expect(usage.stdout).toContain('Usage: propagator push');
  });

  it("syncs a user's tabs across two instances, with an ack, and pushes from the controller", async () => {
    const redis = resources.forTest(await startRedisServer(), (r) => r.stop());
    const publisher = resources.forTest(redisClient(redis.url), (c) =>
      c.quit(),
    );
    const urls: string[] = [];
    for (const name of ['consumer-1', 'consumer-2']) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const instance = resources.forTest(
        new ManagedProcess({
          name,
          command: process.execPath,
          args: [join(app, 'dist', 'src', 'main.js')],
          env: {
            PATH: process.env.PATH,
            PORT: String(port),
            REDIS_URL: redis.url,
            JWT_SECRET: TEST_JWT_SECRET,
          },
        }),
        (p) => p.stop(),
      );
      await instance.waitUntilReady(
        () =>
          fetch(url).then(
            (r) => (void r.body?.cancel(), true),
            () => false,
          ),
        `answering ${url}`,
        30_000,
      );
      urls.push(url);
    }
    const [one, two] = urls;
    const tabA = resources.forTest(await connect(one, { userId: '42' }), (c) =>
      c.close(),
    );
    const tabB = resources.forTest(await connect(two, { userId: '42' }), (c) =>
      c.close(),
    );
    const stranger = resources.forTest(
      await connect(two, { userId: '43' }),
      (c) => c.close(),
    );

    expect(await tabB.emitWithAck('whoami', null)).toEqual({ userId: '42' });
    expect(await tabA.emitWithAck('events', { text: 'from A' })).toEqual({
      text: 'from A',
    });
    expect(await tabB.waitFor('events')).toEqual([{ text: 'from A' }]);

    const pushed = await fetch(`${two}/users/42/notifications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n: 1 }),
    });
    expect(pushed.status).toBe(202);
    expect(await tabA.waitFor('notification')).toEqual([{ n: 1 }]);
    expect(await tabB.waitFor('notification')).toEqual([{ n: 1 }]);

    await flush(publisher, [tabA, tabB, stranger]);
    expect(tabA.events('events')).toEqual([]);
    expect(tabB.events('events')).toHaveLength(1);
    expect(stranger.events('events')).toEqual([]);
    expect(stranger.events('notification')).toEqual([]);
    process.stdout.write(
      `consumer app: tab A on ${one} acked, tab B on ${two} got "events" and both got the push\n`,
    );
  });
});
