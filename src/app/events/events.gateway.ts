import { Inject, UseInterceptors } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { WsResponse } from '@nestjs/websockets';
import type { Socket } from 'socket.io';
import { getSocketUser, RedisPropagatorInterceptor } from '../../lib';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.constants';

/** Answer to `whoami`: where this socket is connected, and as whom. */
export interface WhoAmIDto {
  /** INSTANCE_ID of the instance holding the socket. */
  instance: string;
  socketId: string;
  /** The authenticated user, or null for an anonymous socket. */
  userId: string | null;
}

/**
 * The main namespace. What a tab sends as `events` comes back to it, and
 * reaches the user's other tabs on every instance through the interceptor.
 */
@UseInterceptors(RedisPropagatorInterceptor)
@WebSocketGateway()
export class EventsGateway {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @SubscribeMessage('events')
  handleEvents(@MessageBody() data: unknown): WsResponse<unknown> {
    return { event: 'events', data };
  }

  /** Answers with an acknowledgement, which is never propagated. */
  @SubscribeMessage('echo')
  handleEcho(@MessageBody() data: unknown): { received: unknown } {
    return { received: data };
  }

  /** Tells a socket which instance holds it (an acknowledgement). */
  @SubscribeMessage('whoami')
  handleWhoAmI(@ConnectedSocket() socket: Socket): WhoAmIDto {
    return {
      instance: this.config.instanceId,
      socketId: socket.id,
      userId: getSocketUser(socket)?.userId ?? null,
    };
  }
}
