import {
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { WsResponse } from '@nestjs/websockets';
import { map, type Observable } from 'rxjs';
import type { Socket } from 'socket.io';
import { RateLimitedLogger } from '../shared/rate-limited-logger';
import { getSocketUser } from '../socket-state/socket-user';
import { RedisPropagatorService } from './redis-propagator.service';

// A ws handler is called with (socket, data, ack, pattern); ack is undefined
// when the client's packet did not ask for an acknowledgement.
const ACK_ARGUMENT = 2;

type Acknowledgement = (response: unknown) => void;

/**
 * Publishes a gateway handler's `WsResponse` (and each `WsResponse` emitted by
 * a returned Observable) on the send-to-user channel, so that the sender's
 * other sockets get it too, on every instance.
 *
 * The sender gets the response through its acknowledgement when its packet
 * carried one: the ack receives the response's `data`, and no event is sent
 * to it. Without an acknowledgement it gets the event, as Nest sends it. The
 * sender never waits for Redis.
 *
 * Not propagated: responses to anonymous sockets, and values that are not a
 * `WsResponse` (plain acknowledgements). A failed publish is logged and
 * counted; it never fails the handler.
 *
 * @example
 * ```ts
 * @UseInterceptors(RedisPropagatorInterceptor)
 * @WebSocketGateway()
 * export class EventsGateway {}
 * ```
 */
@Injectable()
export class RedisPropagatorInterceptor implements NestInterceptor {
  private readonly rateLimited = new RateLimitedLogger(
    new Logger(RedisPropagatorInterceptor.name),
  );

  constructor(private readonly propagator: RedisPropagatorService) {}

  intercept(
    context: ExecutionContext,
    next: CallHandler<unknown>,
  ): Observable<unknown> {
    if (context.getType() !== 'ws') {
      return next.handle();
    }
    const socket = context.switchToWs().getClient<Socket>();
    const userId = getSocketUser(socket)?.userId;
    const argument: unknown = context.getArgByIndex(ACK_ARGUMENT);
    let ack =
      typeof argument === 'function'
        ? (argument as Acknowledgement)
        : undefined;
    return next.handle().pipe(
      map((value) => {
        if (!isWsResponse(value)) {
          return value;
        }
        if (userId !== undefined) {
          this.propagate(socket, userId, value);
        }
        if (!ack) {
          return value;
        }
        // An acknowledgement answers once: the first response goes through
        // it, and any later one of an Observable goes as an event.
        ack(value.data);
        ack = undefined;
        return undefined;
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
function isWsResponse(value: unknown): value is WsResponse {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const { event } = value as { event?: unknown };
  return typeof event === 'string' && event.length > 0;
}
