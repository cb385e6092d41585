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
import { InvalidMessageError } from '../contract/invalid-message.error';
import { RateLimitedLogger } from '../shared/rate-limited-logger';
import { getSocketUser } from '../socket-state/socket-user';
import { PropagatorMetrics } from './propagator-metrics';
import { EXCEPTION_EVENT, type RefusedEvent } from './refused-event';
import { RedisPropagatorService } from './redis-propagator.service';

// A ws handler is called with (socket, data, ack, pattern); ack is undefined
// when the client's packet did not ask for an acknowledgement.
const ACK_ARGUMENT = 2;
const PATTERN_ARGUMENT = 3;

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
 * `WsResponse` (plain acknowledgements). A response that cannot be
 * propagated (over `maxMessageBytes`, or Redis down) never fails the
 * handler: it is logged and counted, and the sender gets an `exception`
 * event saying so (`message_too_large`: no other tab got it;
 * `propagation_failed`: its tabs on other instances did not).
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

  constructor(
    private readonly propagator: RedisPropagatorService,
    private readonly metrics: PropagatorMetrics,
  ) {}

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
    const pattern = String(context.getArgByIndex(PATTERN_ARGUMENT));
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
          this.propagate(socket, userId, value, pattern);
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
    pattern: string,
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
        const tooLarge =
          error instanceof InvalidMessageError && error.reason === 'too_large';
        if (tooLarge) {
          this.metrics.countEventRefused('message_too_large');
        }
        const message = `Could not propagate "${event}" to the other sockets of user ${userId}: ${(error as Error).message}`;
        this.rateLimited.warn('propagate', message);
        if (socket.connected) {
          socket.emit(EXCEPTION_EVENT, {
            status: 'error',
            code: tooLarge ? 'message_too_large' : 'propagation_failed',
            message: tooLarge
              ? `"${event}" was not sent to your other sockets: ${(error as Error).message}`
              : `"${event}" may not have reached your sockets on other instances: ${(error as Error).message}`,
            event: pattern,
          } satisfies RefusedEvent);
        }
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
