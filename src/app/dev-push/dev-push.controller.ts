import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
} from '@nestjs/common';
import { toHttpError } from '../push/push.controller';
import type { PushAcceptedDto } from '../push/push.service';
import { PushService } from '../push/push.service';

/** Event name of the pushes this endpoint sends. */
export const DEV_PUSH_EVENT = 'push';

/**
 * POST /dev/push `{ "userId": "42", "data": ... }`: the demo page's push, a
 * thin alias of POST /push with target "user" and event "push", without a
 * key. Registered only outside production: it lets anyone push to anyone.
 */
@Controller('dev')
export class DevPushController {
  constructor(private readonly pushes: PushService) {}

  @Post('push')
  @HttpCode(HttpStatus.ACCEPTED)
  async push(@Body() body: unknown): Promise<PushAcceptedDto> {
    if (typeof body !== 'object' || body === null) {
      throw new BadRequestException(
        'expected a JSON body {"userId": "42", "data": ...}',
      );
    }
    const { userId, data } = body as { userId?: unknown; data?: unknown };
    try {
      return await this.pushes.push({
        target: 'user',
        userId,
        event: DEV_PUSH_EVENT,
        data: data ?? null,
      });
    } catch (error) {
      throw toHttpError(error);
    }
  }
}
