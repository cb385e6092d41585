// The system this project is measured against: a plain Socket.IO 4.8 server
// with @socket.io/redis-adapter, doing the reference app's job. Authenticated
// sockets join `user:<sub>` and `authenticated`; `events` goes to the
// sender's other sockets and is acknowledged (or echoed) to the sender.
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { jwtVerify } from 'jose';
import { Server } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const key = new TextEncoder().encode(process.env.JWT_SECRET ?? '');

const pub = new Redis(redisUrl);
const sub = pub.duplicate();
for (const client of [pub, sub]) {
  client.on('error', (error: Error) =>
    console.error(`redis: ${error.message}`),
  );
}

const http = createServer((request, response) => {
  response.writeHead(request.url === '/health' ? 200 : 404).end();
});
const io = new Server(http, { adapter: createAdapter(pub, sub) });

io.use((socket, next) => {
  const token: unknown = socket.handshake.auth.token;
  if (typeof token !== 'string') {
    next();
    return;
  }
  jwtVerify(token, key, { algorithms: ['HS256'] }).then(
    ({ payload }) => {
      socket.data.userId = payload.sub;
      next();
    },
    () => next(new Error('unauthorized')),
  );
});

io.on('connection', (socket) => {
  const userId = socket.data.userId as string | undefined;
  if (userId !== undefined) {
    void socket.join([`user:${userId}`, 'authenticated']);
  }
  socket.on('events', (data: unknown, ack?: unknown) => {
    if (userId !== undefined) {
      socket.to(`user:${userId}`).emit('events', data);
    }
    if (typeof ack === 'function') {
      (ack as (response: unknown) => void)(data);
    } else {
      socket.emit('events', data);
    }
  });
});

http.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));

process.once('SIGTERM', () => {
  void io.close();
  pub.disconnect();
  sub.disconnect();
});
