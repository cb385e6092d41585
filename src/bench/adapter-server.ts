// The system this project is measured against: a plain Socket.IO 4.8 server
// with @socket.io/redis-adapter, doing the reference app's job. Authenticated
// sockets join `user:<sub>` and `authenticated`; `events` goes to the
// sender's other sockets and is acknowledged (or echoed) to the sender; the
// chat's `chat:join` and `chat:message` do what the ChatGateway does.
// ADAPTER_MODE=sharded uses the sharded adapter (SSUBSCRIBE per room,
// subscriptionMode "dynamic") instead of the classic one.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { jwtVerify } from 'jose';
import { Server, type Socket } from 'socket.io';

const port = Number(process.env.PORT ?? 0);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const key = new TextEncoder().encode(process.env.JWT_SECRET ?? '');
const sharded = process.env.ADAPTER_MODE === 'sharded';

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
const io = new Server(http, {
  adapter: sharded
    ? createShardedAdapter(pub, sub, { subscriptionMode: 'dynamic' })
    : createAdapter(pub, sub),
});

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

type Ack = (response: unknown) => void;

/** A client may emit without an acknowledgement; then there is none to call. */
function answer(ack: unknown, response: unknown): void {
  if (typeof ack === 'function') {
    (ack as Ack)(response);
  }
}

const ROOM_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The room id of a chat request, or undefined when it is not one. */
function roomIdOf(body: unknown): string | undefined {
  const roomId = (body as { roomId?: unknown } | null)?.roomId;
  return typeof roomId === 'string' && ROOM_ID.test(roomId)
    ? roomId
    : undefined;
}

function chat(socket: Socket, userId: string): void {
  socket.on('chat:join', async (body: unknown, ack: unknown) => {
    const roomId = roomIdOf(body);
    if (roomId === undefined) {
      answer(ack, { error: { code: 'invalid_room', message: 'bad room id' } });
      return;
    }
    const room = `chat:${roomId}`;
    await socket.join(room);
    socket.to(room).emit('chat:userJoined', { roomId, userId });
    const members = new Set<string>();
    for (const member of await io.in(room).fetchSockets()) {
      members.add((member.data as { userId: string }).userId);
    }
    answer(ack, { roomId, members: [...members].sort() });
  });
  socket.on('chat:message', (body: unknown, ack: unknown) => {
    const roomId = roomIdOf(body);
    const text = (body as { text?: unknown } | null)?.text;
    const room = `chat:${roomId}`;
    if (roomId === undefined || !socket.rooms.has(room)) {
      answer(ack, { error: { code: 'not_in_room', message: 'join first' } });
      return;
    }
    if (typeof text !== 'string' || text.length === 0 || text.length > 2_000) {
      answer(ack, { error: { code: 'invalid_text', message: 'bad text' } });
      return;
    }
    const message = {
      roomId,
      userId,
      text,
      id: randomUUID(),
      sentAt: new Date().toISOString(),
    };
    io.to(room).emit('chat:message', message);
    answer(ack, { id: message.id });
  });
}

io.on('connection', (socket) => {
  const userId = socket.data.userId as string | undefined;
  if (userId !== undefined) {
    void socket.join([`user:${userId}`, 'authenticated']);
    chat(socket, userId);
  }
  socket.on('events', (data: unknown, ack?: unknown) => {
    if (userId !== undefined) {
      socket.to(`user:${userId}`).emit('events', data);
    }
    if (typeof ack === 'function') {
      (ack as Ack)(data);
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
