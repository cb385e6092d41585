import type { Logger } from '@nestjs/common';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { isObservable, type Subscription } from 'rxjs';
import type { Socket } from 'socket.io';

/** What Nest's socket adapter turns an event's arguments into. */
type PayloadMapper = (payload: unknown) => { data?: unknown; ack?: unknown };

type Acknowledgement = (response: unknown) => void;

/**
 * The gateway handlers of one socket, behind a single middleware
 * (`socket.use`), instead of Nest's rxjs pipeline per handler per socket: a
 * socket costs a small map, and a message one lookup and one call. Being a
 * middleware, it sees only what the middlewares before it let through (the
 * limits of `InboundLimits`); an `onAny` listener would see every packet.
 *
 * What a handler sees and what the client gets are Nest's: the handler is
 * called with `(data, ack)` as Nest maps them; a returned value, Promise or
 * Observable is awaited; a `WsResponse` (`{ event, data }`) is emitted to
 * the socket, any other value acknowledges (unless the handler takes the ack
 * itself); a failure is logged; an Observable still running when the socket
 * disconnects is unsubscribed.
 */
export class MessageRouter {
  private readonly routes = new Map<string, MessageMappingProperties[]>();
  private running?: Set<Subscription>;

  constructor(
    private readonly socket: Socket,
    private readonly mapPayload: PayloadMapper,
    private readonly logger: Pick<Logger, 'error'>,
  ) {
    socket.use(([event, ...args], next) => {
      const handlers = this.routes.get(event as string);
      if (handlers) {
        // As rxjs' fromEvent hands it to Nest: one argument as is, several
        // as an array.
        const payload = args.length > 1 ? args : args[0];
        for (const handler of handlers) {
          this.dispatch(handler, payload);
        }
      }
      next();
    });
  }

  /** Adds a gateway's handlers; every gateway of the namespace adds its own. */
  add(handlers: readonly MessageMappingProperties[]): void {
    for (const handler of handlers) {
      const key = handler.message as string;
      const existing = this.routes.get(key);
      if (existing) {
        existing.push(handler);
      } else {
        this.routes.set(key, [handler]);
      }
    }
  }

  private dispatch(handler: MessageMappingProperties, payload: unknown): void {
    const { data, ack } = this.mapPayload(payload);
    const respond = (response: unknown) => this.respond(handler, ack, response);
    const fail = (error: unknown) => this.logger.error(error);
    try {
      Promise.resolve(handler.callback(data, ack)).then((result: unknown) => {
        if (isObservable(result)) {
          this.track(result.subscribe({ next: respond, error: fail }));
        } else {
          respond(result);
        }
      }, fail);
    } catch (error) {
      fail(error);
    }
  }

  private respond(
    handler: MessageMappingProperties,
    ack: unknown,
    response: unknown,
  ): void {
    if (response === null || response === undefined || !this.socket.connected) {
      return;
    }
    const { event, data } = response as { event?: unknown; data?: unknown };
    if (event) {
      this.socket.emit(event as string, data);
    } else if (!handler.isAckHandledManually && typeof ack === 'function') {
      (ack as Acknowledgement)(response);
    }
  }

  private track(subscription: Subscription): void {
    if (subscription.closed) {
      return;
    }
    if (!this.running) {
      const running = new Set<Subscription>();
      this.running = running;
      this.socket.once('disconnect', () => {
        for (const live of running) {
          live.unsubscribe();
        }
      });
    }
    this.running.add(subscription);
    subscription.add(() => this.running?.delete(subscription));
  }
}
