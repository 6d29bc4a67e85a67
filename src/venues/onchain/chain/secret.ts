/**
 * A secret value (private key, keystore password) that prints as `***` wherever it is logged, serialised or
 * inspected; only `reveal()` returns it, and only the signer calls that.
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
