/** Invalid configuration: the message names the variable and the fix. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
  }
}

/**
 * Runs a configuration reader. On a {@link ConfigError} it prints the
 * message, sets exit code 1 and returns undefined, so that an entry point
 * stops without a stack trace; any other error is thrown on.
 */
export function readConfigOrExit<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exitCode = 1;
      return undefined;
    }
    throw error;
  }
}
