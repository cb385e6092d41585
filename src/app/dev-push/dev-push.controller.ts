import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  ServiceUnavailableException,
} from '@nestjs/common';
import {
  InvalidMessageError,
  PropagatorPublishError,
  RedisPropagatorService,
} from '../../lib';

/** Event name of the pushes this endpoint sends. */
export const DEV_PUSH_EVENT = 'push';

/** Body of POST /dev/push. */
export interface DevPushDto {
  userId: string;
  data: unknown;
}

/**
 * Pushes an event to every socket of a user, on every instance, the way
 * another service would by publishing on Redis. Registered only outside
 * production: it lets anyone push to anyone.
 */
@Controller('dev')
export class DevPushController {
  constructor(private readonly propagator: RedisPropagatorService) {}

  @Post('push')
  @HttpCode(HttpStatus.ACCEPTED)
  async push(@Body() body: unknown): Promise<{ event: string }> {
    const { userId, data } = readBody(body);
    try {
      await this.propagator.propagateEvent({
        userId,
        event: DEV_PUSH_EVENT,
        data,
      });
    } catch (error) {
      if (error instanceof InvalidMessageError) {
        throw new BadRequestException(error.message);
      }
      if (error instanceof PropagatorPublishError) {
        throw new ServiceUnavailableException(error.message);
      }
      throw error;
    }
    return { event: DEV_PUSH_EVENT };
  }
}

function readBody(body: unknown): DevPushDto {
  if (typeof body !== 'object' || body === null || !('userId' in body)) {
    throw new BadRequestException(
      'expected a JSON body {"userId": "42", "data": ...}',
    );
  }
  const { userId, data } = body as { userId: unknown; data?: unknown };
  if (typeof userId !== 'string' || userId.trim() === '') {
    throw new BadRequestException('userId must be a non-empty string');
  }
  return { userId, data: data ?? null };
}
