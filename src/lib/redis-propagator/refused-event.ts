import type { Socket } from 'socket.io';
import type { EventRefusalCode } from './propagator-metrics';

/** The event a client gets when one of its events is refused (Nest's own name for errors). */
export const EXCEPTION_EVENT = 'exception';

/** What a client gets, as the `exception` event or as the answer to its ack. */
export interface RefusedEvent {
  readonly status: 'error';
  readonly code: EventRefusalCode | 'propagation_failed';
  readonly message: string;
  /** The client's event that was refused. */
  readonly event: string;
}

/**
 * Tells a client that an event of its was refused: through its ack when the
 * event carried one (so the client is not left waiting), else as an
 * `exception` event.
 */
export function answerRefusal(
  socket: Socket,
  packet: readonly unknown[],
  refusal: RefusedEvent,
): void {
  const ack = packet[packet.length - 1];
  if (packet.length > 1 && typeof ack === 'function') {
    (ack as (answer: RefusedEvent) => void)(refusal);
  } else {
    socket.emit(EXCEPTION_EVENT, refusal);
  }
}
