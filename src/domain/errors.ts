/**
 * Typed errors. Every error carries a one-line `message` fit for a CLI and structured facts for an API.
 * The CLI prints `message` and exits non-zero; the server maps these to 4xx (see src/server, later).
 */
export abstract class BasisError extends Error {
  abstract readonly kind: string;
}

/** A configuration file, key or value is wrong. */
export class ConfigError extends BasisError {
  readonly kind = 'config';
  constructor(
    readonly file: string,
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${file}${path ? `: ${path}` : ''}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** A data series is missing, malformed or does not cover the requested window. */
export class DataError extends BasisError {
  readonly kind = 'data';
  constructor(
    message: string,
    readonly series?: string,
    readonly file?: string,
    readonly row?: number,
  ) {
    super(message);
    this.name = 'DataError';
  }
}

/** A venue refused or failed an operation. `retryable` decides whether execution may try again. */
export class VenueError extends BasisError {
  readonly kind = 'venue';
  constructor(
    readonly venue: string,
    message: string,
    readonly retryable = false,
    readonly code?: string,
  ) {
    super(`${venue}: ${message}`);
    this.name = 'VenueError';
  }
}

/** An instruction or atomic group could not be executed. */
export class ExecutionError extends BasisError {
  readonly kind = 'execution';
  constructor(
    message: string,
    readonly instruction?: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'ExecutionError';
  }
}

/** Bad command-line or request input that is not a config file problem. */
export class InputError extends BasisError {
  readonly kind = 'input';
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
