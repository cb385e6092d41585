import { UseInterceptors } from '@nestjs/common';
import {
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { WsResponse } from '@nestjs/websockets';
import { RedisPropagatorInterceptor } from '../../lib';

/**
 * The main namespace. What a tab sends as `events` comes back to it, and
 * reaches the user's other tabs on every instance through the interceptor.
 */
@UseInterceptors(RedisPropagatorInterceptor)
@WebSocketGateway()
export class EventsGateway {
  @SubscribeMessage('events')
  handleEvents(@MessageBody() data: unknown): WsResponse<unknown> {
    return { event: 'events', data };
  }

  /** Answers with an acknowledgement, which is never propagated. */
  @SubscribeMessage('echo')
  handleEcho(@MessageBody() data: unknown): { received: unknown } {
    return { received: data };
  }
}
