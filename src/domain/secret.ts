/**
 * A secret value (a chain key, a keystore password, an exchange API key, secret or passphrase) that prints as
 * `***` wherever it is logged, serialised or inspected; only `reveal()` returns it, and only the clients that
 * sign with it (the chain signer, the ccxt exchange constructor) call that.
 */
import { inspect } from 'node:util';

const MASK = '***';

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return `Secret(${MASK})`;
  }
}

/** The text of a setting that may be a Secret (revealed) or a plain string; undefined when absent or empty. */
export function settingText(v: unknown): string | undefined {
  const s = v instanceof Secret ? v.reveal() : v;
  return typeof s === 'string' && s.length > 0 ? s : undefined;
}
