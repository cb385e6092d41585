import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { Request } from 'express';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.constants';
import { BearerKey } from '../shared/bearer-key';

/** Lets a request through when it carries `Authorization: Bearer <PUSH_API_KEY>`. */
@Injectable()
export class PushApiKeyGuard implements CanActivate {
  private readonly key: BearerKey;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.key = new BearerKey(config.pushApiKey ?? '', 'the push API key');
  }

  canActivate(context: ExecutionContext): boolean {
    this.key.check(
      context.switchToHttp().getRequest<Request>().headers.authorization,
    );
    return true;
  }
}
