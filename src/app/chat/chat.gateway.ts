import { randomUUID } from 'node:crypto';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import { getSocketUser } from '../../lib';

/** What every room of the chat is called, before its id. */
const ROOM_PREFIX = 'chat:';
const ROOM_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_TEXT_LENGTH = 2_000;

/** A refusal, as the acknowledgement carries it. */
export interface ChatErrorDto {
  error: { code: string; message: string };
}

/** The acknowledgement of `chat:join`: who is in the room, on every instance. */
export interface ChatJoinedDto {
  roomId: string;
  /** The user ids in the room, each once, sorted. */
  members: string[];
}

/** A message of the room, as every socket in it gets it. */
export interface ChatMessageDto {
  roomId: string;
  userId: string;
  text: string;
  id: string;
  /** When the server took it, ISO 8601. */
  sentAt: string;
}

/**
 * A chat with rooms, written as the Nest and Socket.IO docs teach: the socket
 * joins `chat:<roomId>`, and the gateway emits to that room. The library's
 * adapter carries the room to every instance that holds it.
 */
@WebSocketGateway()
export class ChatGateway {
  @WebSocketServer()
  private readonly server!: Server;

  @SubscribeMessage('chat:join')
  async join(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): Promise<ChatJoinedDto | ChatErrorDto> {
    const checked = this.check(socket, body);
    if ('error' in checked) {
      return checked;
    }
    const { roomId, userId } = checked;
    const room = ROOM_PREFIX + roomId;
    try {
      // Resolves once this instance receives what is sent to the room.
      await socket.join(room);
    } catch (error) {
      // The socket is in maxRoomsPerSocket rooms already.
      if (error instanceof RangeError) {
        return refusal('too_many_rooms', error.message);
      }
      throw error;
    }
    socket.to(room).emit('chat:userJoined', { roomId, userId });
    const sockets = await this.server.in(room).fetchSockets();
    const members = new Set<string>();
    for (const member of sockets) {
      const user = (member.data as { user?: { userId: string } }).user;
      if (user) {
        members.add(user.userId);
      }
    }
    return { roomId, members: [...members].sort() };
  }

  @SubscribeMessage('chat:leave')
  async leave(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): Promise<{ roomId: string } | ChatErrorDto> {
    const checked = this.check(socket, body);
    if ('error' in checked) {
      return checked;
    }
    const { roomId, userId } = checked;
    const room = ROOM_PREFIX + roomId;
    if (socket.rooms.has(room)) {
      await socket.leave(room);
      this.server.to(room).emit('chat:userLeft', { roomId, userId });
    }
    return { roomId };
  }

  @SubscribeMessage('chat:message')
  message(
    @ConnectedSocket() socket: Socket,
    @MessageBody() body: unknown,
  ): { id: string } | ChatErrorDto {
    const checked = this.check(socket, body);
    if ('error' in checked) {
      return checked;
    }
    const { roomId, userId } = checked;
    const room = ROOM_PREFIX + roomId;
    if (!socket.rooms.has(room)) {
      return refusal('not_in_room', `join "${roomId}" before sending to it`);
    }
    const { text } = body as { text?: unknown };
    if (
      typeof text !== 'string' ||
      text.length === 0 ||
      text.length > MAX_TEXT_LENGTH
    ) {
      return refusal(
        'invalid_text',
        `"text" must be a string of 1 to ${MAX_TEXT_LENGTH} characters`,
      );
    }
    const message: ChatMessageDto = {
      roomId,
      userId,
      text,
      id: randomUUID(),
      sentAt: new Date().toISOString(),
    };
    this.server.to(room).emit('chat:message', message);
    return { id: message.id };
  }

  /** The user and the room id of a request, or why it is refused. */
  private check(
    socket: Socket,
    body: unknown,
  ): { userId: string; roomId: string } | ChatErrorDto {
    const user = getSocketUser(socket);
    if (!user) {
      return refusal('unauthorized', 'the chat is for authenticated sockets');
    }
    const roomId = (body as { roomId?: unknown } | null)?.roomId;
    if (typeof roomId !== 'string' || !ROOM_ID.test(roomId)) {
      return refusal(
        'invalid_room',
        '"roomId" must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -',
      );
    }
    return { userId: user.userId, roomId };
  }
}

function refusal(code: string, message: string): ChatErrorDto {
  return { error: { code, message } };
}
