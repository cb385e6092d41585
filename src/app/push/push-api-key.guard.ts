import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request } from 'express';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.constants';

/**
 * Lets a request through when it carries `Authorization: Bearer <PUSH_API_KEY>`.
 * The comparison takes the same time whatever the key sent: both sides are
 * hashed to the same length first, then compared in constant time.
 */
@Injectable()
export class PushApiKeyGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.expected = digest(config.pushApiKey ?? '');
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    if (!match) {
      throw new UnauthorizedException(
        'send the push API key as "Authorization: Bearer <key>"',
      );
    }
    if (!timingSafeEqual(digest(match[1]), this.expected)) {
      throw new ForbiddenException('the push API key is wrong');
    }
    return true;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
