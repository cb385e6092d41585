import { Module } from '@nestjs/common';
import { REDIS_PROPAGATOR_OPTIONS } from '../redis-propagator.module-definition';
import type { RedisPropagatorModuleOptions } from '../redis-propagator.options';
import { TOKEN_VERIFIER } from './auth.constants';
import { JwtTokenVerifier } from './jwt-token.verifier';
import type { TokenVerifier } from './token-verifier.interface';

/** The verifier that the options ask for: the app's own, or the JWT one. */
export function createTokenVerifier(
  options: RedisPropagatorModuleOptions,
): TokenVerifier {
  if (options.verifier) {
    return options.verifier;
  }
  if (!options.jwt) {
    throw new TypeError(
      'RedisPropagatorModule: set "jwt" (a secret or a public key) or "verifier"',
    );
  }
  return new JwtTokenVerifier(options.jwt);
}

/** Provides the {@link TokenVerifier} under {@link TOKEN_VERIFIER}. */
@Module({
  providers: [
    {
      provide: TOKEN_VERIFIER,
      useFactory: createTokenVerifier,
      inject: [REDIS_PROPAGATOR_OPTIONS],
    },
  ],
  exports: [TOKEN_VERIFIER],
})
export class AuthModule {}
