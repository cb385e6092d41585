import { ConfigError } from './config.error';

/** The environment, or any map of variables read like it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The trimmed value, or undefined when it is unset or blank. */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * An integer variable within [min, max], or `fallback` when unset. Throws a
 * {@link ConfigError} naming the variable and the allowed range.
 */
export function readInteger<Fallback extends number | undefined>(
  env: Env,
  name: string,
  fallback: Fallback,
  min: number,
  max: number,
): number | Fallback {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) {
    return fallback;
  }
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(
      name,
      `must be an integer from ${min} to ${max}, not "${raw}"`,
    );
  }
  return value;
}

/** `true`/`1` or `false`/`0` (any case), or `fallback` when unset. */
export function readBoolean(
  env: Env,
  name: string,
  fallback: boolean,
): boolean {
  const raw = nonEmpty(env[name])?.toLowerCase();
  if (raw === undefined) {
    return fallback;
  }
  if (raw === 'true' || raw === '1') {
    return true;
  }
  if (raw === 'false' || raw === '0') {
    return false;
  }
  throw new ConfigError(name, `must be true or false, not "${env[name]}"`);
}
