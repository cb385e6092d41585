/**
 * A message could not be published: the transport refused it (Redis down),
 * or it could not be serialised within the size limit.
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
