/**
 * Why a message was refused or dropped: over the size limit, not JSON, or
 * JSON that breaks the contract's rules.
 */
export type DropReason = 'too_large' | 'not_json' | 'invalid';
/**
 * A message that breaks the wire contract: not an object of the right shape,
 * not serialisable as JSON, or over the size limit. `reason` is the one a
 * consumer would have dropped it for, and the message says which rule failed.
 *
 * It extends `TypeError`, so code written against earlier versions that
 * checked for a `TypeError` still works.
 */
export class InvalidMessageError extends TypeError {
  override readonly name = 'InvalidMessageError';

  constructor(
    readonly reason: DropReason,
    detail: string,
  ) {
    super(`Invalid propagator message: ${detail}`);
  }
}
