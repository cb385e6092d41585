import { UseInterceptors } from '@nestjs/common';
import {
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { WsResponse } from '@nestjs/websockets';
import { RedisPropagatorInterceptor } from '../../lib';

/**
 * A second namespace, to show that authentication, registration and
 * propagation work per namespace.
 */
@UseInterceptors(RedisPropagatorInterceptor)
@WebSocketGateway({ namespace: '/notifications' })
export class NotificationsGateway {
  @SubscribeMessage('notify')
  handleNotify(@MessageBody() data: unknown): WsResponse<unknown> {
    return { event: 'notification', data };
  }
}
