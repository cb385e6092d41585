import {
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { WsResponse } from '@nestjs/websockets';
import { type Observable, tap } from 'rxjs';
import type { Socket } from 'socket.io';
import { RateLimitedLogger } from '../shared/rate-limited-logger';
import { getSocketUser } from '../socket-state/socket-user';
import { RedisPropagatorService } from './redis-propagator.service';

/**
 * Publishes a gateway handler's `WsResponse` (and each `WsResponse` emitted by
 * a returned Observable) on the send-to-user channel, so that the sender's
 * other sockets get it too, on every instance. The sender itself gets the
 * response from Nest as usual.
 *
 * Not propagated: responses to anonymous sockets, and values that are not a
 * `WsResponse` (acknowledgements). A failed publish is logged and counted; it
 * never fails the handler.
 *
 * @example
 * ```ts
 * @UseInterceptors(RedisPropagatorInterceptor)
 * @WebSocketGateway()
 * export class EventsGateway {}
 * ```
 */
@Injectable()
export class RedisPropagatorInterceptor<T> implements NestInterceptor<T, T> {
  private readonly rateLimited = new RateLimitedLogger(
    new Logger(RedisPropagatorInterceptor.name),
  );

  constructor(private readonly propagator: RedisPropagatorService) {}

  intercept(context: ExecutionContext, next: CallHandler<T>): Observable<T> {
    if (context.getType() !== 'ws') {
      return next.handle();
    }
    const socket = context.switchToWs().getClient<Socket>();
    const user = getSocketUser(socket);
    if (!user) {
      return next.handle();
    }
    return next.handle().pipe(
      tap((value) => {
        if (isWsResponse(value)) {
          this.propagate(socket, user.userId, value);
        }
      }),
    );
  }

  private propagate(
    socket: Socket,
    userId: string,
    { event, data }: WsResponse,
  ): void {
    this.propagator
      .propagateEvent({
        userId,
        socketId: socket.id,
        namespace: socket.nsp.name,
        event,
        data,
      })
      .catch((error: unknown) => {
        this.rateLimited.warn(
          'propagate',
          `Could not propagate "${event}" to the other sockets of user ${userId}: ${(error as Error).message}`,
        );
      });
  }
}

/**
 * A value that Nest emits as an event rather than as an acknowledgement: an
 * object with a non-empty string `event`.
 */
export function isWsResponse(value: unknown): value is WsResponse {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const { event } = value as { event?: unknown };
  return typeof event === 'string' && event.length > 0;
}
