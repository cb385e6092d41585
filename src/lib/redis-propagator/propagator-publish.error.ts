/**
 * A valid message could not be published: the transport refused it (Redis
 * down, connection lost). `cause` holds the transport's error. A message that
 * is itself wrong is refused with an `InvalidMessageError` instead.
 */
export class PropagatorPublishError extends Error {
  override readonly name = 'PropagatorPublishError';

  constructor(
    message: string,
    readonly channel: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
