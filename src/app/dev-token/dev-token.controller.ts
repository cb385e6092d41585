import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  Query,
} from '@nestjs/common';
import { SignJWT } from 'jose';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.constants';

const TOKEN_LIFETIME_SECONDS = 60 * 60;
const USER_ID = /^[\w.@-]{1,64}$/;

/** Body of GET /dev/token. */
export interface DevTokenDto {
  token: string;
  userId: string;
  expiresAt: string;
}

/**
 * Issues a token for any user id, for the demo page and for trying the app
 * out. Registered only outside production, and only with a shared secret.
 */
@Controller('dev')
export class DevTokenController {
  private readonly key: Uint8Array;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.key = new TextEncoder().encode(config.jwt.secret);
  }

  @Get('token')
  async issue(@Query('userId') userId: unknown): Promise<DevTokenDto> {
    if (typeof userId !== 'string' || !USER_ID.test(userId)) {
      throw new BadRequestException(
        'userId must be 1 to 64 letters, digits or ._@-',
      );
    }
    const { issuer, audience } = this.config.jwt;
    const expiresAt = Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_SECONDS;
    let jwt = new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt()
      .setExpirationTime(expiresAt);
    if (issuer) {
      jwt = jwt.setIssuer(issuer);
    }
    if (audience) {
      jwt = jwt.setAudience(audience);
    }
    return {
      token: await jwt.sign(this.key),
      userId,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    };
  }
}
