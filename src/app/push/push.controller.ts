import {
  BadRequestException,
  PayloadTooLargeException,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  ServiceUnavailableException,
  UseGuards,
} from '@nestjs/common';
import { PushApiKeyGuard } from './push-api-key.guard';
import {
  type PushAcceptedDto,
  PushRequestError,
  PushService,
  PushTooLargeError,
  PushUnavailableError,
} from './push.service';

/**
 * POST /push: the HTTP way for a service without Redis access to push. It
 * exists only when PUSH_API_KEY is set.
 */
@Controller('push')
@UseGuards(PushApiKeyGuard)
export class PushController {
  constructor(private readonly pushes: PushService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async push(@Body() body: unknown): Promise<PushAcceptedDto> {
    try {
      return await this.pushes.push(body);
    } catch (error) {
      throw toHttpError(error);
    }
  }
}

/** 400 or 413 for a request to fix, 503 when Redis did not take it. */
export function toHttpError(error: unknown): unknown {
  if (error instanceof PushRequestError) {
    return new BadRequestException({
      statusCode: HttpStatus.BAD_REQUEST,
      error: 'Bad Request',
      message: error.message,
      fields: error.fields,
    });
  }
  if (error instanceof PushTooLargeError) {
    return new PayloadTooLargeException(error.message);
  }
  if (error instanceof PushUnavailableError) {
    return new ServiceUnavailableException(error.message);
  }
  return error;
}
