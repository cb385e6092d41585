// One plain Socket.IO server in a process of its own, so that a test can
// freeze it (SIGSTOP) or kill it in the middle of a request. Built code only:
// run `npm run build` first.
//   node io-node-child.mjs reference <redis-url>
//   node io-node-child.mjs ours <redis-url> | ours-cluster <host:port,...>
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import channelsModule from '../../dist/lib/contract/propagator-channels.js';
import clusterModule from '../../dist/lib/redis/ioredis-cluster.transport.js';
import redisModule from '../../dist/lib/redis/ioredis.transport.js';
import serviceModule from '../../dist/lib/redis/redis.service.js';
import adapterModule from '../../dist/lib/rooms/room-adapter.js';
import routerModule from '../../dist/lib/rooms/room-router.js';

const [kind, where] = process.argv.slice(2);

const ready = [];

function ourAdapter(transport) {
  const redis = new serviceModule.RedisService(transport);
  const router = new routerModule.RoomRouter(redis, {
    channels: channelsModule.propagatorChannels(),
    origin: randomBytes(8),
    heartbeatMs: 1_000,
    log: { warn: () => undefined, error: () => undefined },
  });
  router.start();
  ready.push(redis.waitUntilReady(10_000));
  return adapterModule.roomAdapterFor(router);
}

function adapterFor() {
  if (kind === 'reference') {
    const pub = new Redis(where);
    return createAdapter(pub, pub.duplicate());
  }
  if (kind === 'ours') {
    return ourAdapter(new redisModule.IoRedisTransport(where));
  }
  const nodes = where.split(',').map((seed) => {
    const [host, port] = seed.split(':');
    return { host, port: Number(port) };
  });
  const { isSharded } = channelsModule.propagatorChannels();
  return ourAdapter(
    new clusterModule.IoRedisClusterTransport(nodes, {}, isSharded),
  );
}

const http = createServer();
const io = new Server(http, { adapter: adapterFor() });
io.on('connection', async (socket) => {
  const { rooms } = socket.handshake.query;
  await socket.join(rooms ? String(rooms).split(',') : []);
  socket.emit('joined');
});
await Promise.all(ready);
http.listen(0, '127.0.0.1', () => {
  console.log(`READY http://127.0.0.1:${http.address().port}`);
});
