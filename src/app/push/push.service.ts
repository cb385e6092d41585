import { Injectable } from '@nestjs/common';
import {
  InvalidMessageError,
  PropagatorPublishError,
  RedisPropagatorService,
  roomNameProblem,
  validatePropagatorMessage,
} from '../../lib';

/** Body of POST /push. */
export interface PushRequestDto {
  /** Who receives it. */
  target: 'user' | 'room' | 'all' | 'authenticated';
  /** With target "user": whose sockets. */
  userId?: string | number;
  /** With target "room": which room's sockets. */
  room?: string;
  event: string;
  data?: unknown;
  /** @default '/' */
  namespace?: string;
  /** Idempotency key: the same id within the window is not delivered again. */
  id?: string;
}

/** Answer of POST /push: how many instances took the message. */
export interface PushAcceptedDto {
  instances: number;
}

/** Why a push was refused, field by field. */
export class PushRequestError extends Error {
  constructor(readonly fields: Readonly<Record<string, string>>) {
    super(
      `invalid field${Object.keys(fields).length > 1 ? 's' : ''}: ${Object.keys(fields).join(', ')}`,
    );
  }
}

/** Redis did not take a valid push. */
export class PushUnavailableError extends Error {}

/** The message would be over the size limit once encoded. */
export class PushTooLargeError extends Error {}

const TARGETS = new Set(['user', 'room', 'all', 'authenticated']);
const FIELDS = new Set([
  'target',
  'userId',
  'room',
  'event',
  'data',
  'namespace',
  'id',
]);

/**
 * Checks a push request field by field, with the contract's own rules, and
 * publishes it: what POST /push and POST /dev/push do.
 */
@Injectable()
export class PushService {
  constructor(private readonly propagator: RedisPropagatorService) {}

  /**
   * Throws a {@link PushRequestError} listing every invalid field, or a
   * {@link PushUnavailableError} when Redis does not take the message.
   */
  async push(body: unknown): Promise<PushAcceptedDto> {
    const request = readRequest(body);
    try {
      const instances =
        request.target === 'user'
          ? await this.propagator.propagateEvent({
              userId: request.userId ?? '',
              event: request.event,
              data: request.data,
              namespace: request.namespace,
              id: request.id,
            })
          : request.target === 'room'
            ? await this.propagator.emitToRoom(request.room ?? '', {
                event: request.event,
                data: request.data,
                namespace: request.namespace,
                id: request.id,
              })
            : await (request.target === 'all'
                ? this.propagator.emitToAll(request)
                : this.propagator.emitToAuthenticated(request));
      return { instances };
    } catch (error) {
      if (error instanceof InvalidMessageError) {
        // Valid fields can still make a message the contract refuses: over
        // the size limit once encoded, or data JSON cannot carry.
        throw error.reason === 'too_large'
          ? new PushTooLargeError(error.message)
          : new PushRequestError({ data: error.message });
      }
      if (error instanceof PropagatorPublishError) {
        throw new PushUnavailableError(error.message, { cause: error });
      }
      throw error;
    }
  }
}

function readRequest(body: unknown): PushRequestDto {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PushRequestError({ body: 'must be a JSON object' });
  }
  const request = body as Record<string, unknown>;
  const problems: Record<string, string> = {};
  for (const field of Object.keys(request)) {
    if (!FIELDS.has(field)) {
      problems[field] = 'is not a field of a push';
    }
  }
  const { target, userId, event, namespace } = request;
  if (typeof target !== 'string' || !TARGETS.has(target)) {
    problems.target = 'must be "user", "room", "all" or "authenticated"';
  }
  if (target === 'room' || request.room !== undefined) {
    const problem = roomNameProblem(request.room);
    if (target !== 'room') {
      problems.room = 'is only for target "room"';
    } else if (problem) {
      problems.room = problem;
    }
  }
  if (target === 'user' || userId !== undefined) {
    const problem = contractProblem({ event: 'e', userId }, 'userId', 'user');
    if (target !== 'user') {
      problems.userId = 'is only for target "user"';
    } else if (problem) {
      problems.userId = problem;
    }
  }
  const eventProblem = contractProblem({ event }, 'event', 'broadcast');
  if (eventProblem) {
    problems.event = eventProblem;
  }
  const namespaceProblem = contractProblem(
    { event: 'e', namespace },
    'namespace',
    'broadcast',
  );
  if (namespaceProblem) {
    problems.namespace = namespaceProblem;
  }
  const idProblem = contractProblem(
    { event: 'e', id: request.id },
    'id',
    'broadcast',
  );
  if (idProblem) {
    problems.id = idProblem;
  }
  if (Object.keys(problems).length > 0) {
    throw new PushRequestError(problems);
  }
  return request as unknown as PushRequestDto;
}

/**
 * What the wire contract says of one field, checked alone. The contract's
 * parser is the one place for its rules; this asks it about one field at a
 * time, so that every invalid field is listed.
 */
function contractProblem(
  message: Record<string, unknown>,
  field: string,
  to: 'user' | 'broadcast',
): string | undefined {
  try {
    validatePropagatorMessage(message, to);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidMessageError) {
      // "Invalid propagator message: "event" must be ..." -> "must be ..."
      return error.message
        .replace(/^Invalid propagator message: /, '')
        .replace(`"${field}" `, '');
    }
    throw error;
  }
}
