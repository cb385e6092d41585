import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenException, UnauthorizedException } from '@nestjs/common';

/** What a request must carry: `Authorization: Bearer <key>`, compared in constant time. */
export class BearerKey {
  private readonly expected: Buffer;

  /** @param what Names the key in errors: `the push API key`. */
  constructor(
    key: string,
    private readonly what: string,
  ) {
    this.expected = digest(key);
  }

  /**
   * Throws 401 when the header is missing or not a bearer, 403 when the key
   * is wrong. Both sides are hashed to one length first, so the comparison
   * takes the same time whatever was sent.
   */
  check(authorization: string | undefined): void {
    const match = /^Bearer (.+)$/.exec(authorization ?? '');
    if (!match) {
      throw new UnauthorizedException(
        `send ${this.what} as "Authorization: Bearer <key>"`,
      );
    }
    if (!timingSafeEqual(digest(match[1]), this.expected)) {
      throw new ForbiddenException(`${this.what} is wrong`);
    }
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
