/**
 * The one parser of numbers typed by a person or sent in a query string: plain decimal notation only.
 * `Number()` accepts far more (`0x10` → 16, `0b1`, `0o7`, `" 7"`, `""` → 0, `Infinity`), so a typo can
 * run a backtest with a capital nobody meant; this refuses everything but
 * `[+|-]digits[.digits][e[+|-]digits]` (also `.5`), with a one-line error naming the option.
 */
import { InputError } from './errors.js';

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

export interface DecimalRule {
  /** Smallest value allowed (inclusive unless `exclusiveMin`). */
  min?: number;
  exclusiveMin?: boolean;
  /** Largest value allowed (inclusive). */
  max?: number;
  /** Only whole numbers, written without a fraction or exponent. */
  integer?: boolean;
}

/** Whether `text` is plain decimal notation (no whitespace, hex, octal, binary, or trailing junk). */
export function isDecimalText(text: string, integer = false): boolean {
  return (integer ? INTEGER : DECIMAL).test(text);
}

function expectation(rule: DecimalRule): string {
  const kind = rule.integer ? 'an integer' : 'a number';
  const { min, max } = rule;
  if (min !== undefined && max !== undefined && !rule.exclusiveMin) return `${kind} from ${min} to ${max}`;
  if (min === 0 && rule.exclusiveMin && max === undefined)
    return rule.integer ? 'a positive integer' : 'a positive number';
  const lo = min === undefined ? '' : rule.exclusiveMin ? ` > ${min}` : ` ≥ ${min}`;
  const hi = max === undefined ? '' : `${lo ? ' and' : ''} ≤ ${max}`;
  return `${kind}${lo}${hi}`;
}

/**
 * Parses decimal text under `rule`; throws InputError `${what} must be …, was "…"` otherwise.
 * @example parseDecimal('100000', '--capital', { min: 0, exclusiveMin: true }) // 100000
 */
export function parseDecimal(text: string, what: string, rule: DecimalRule = {}): number {
  const shown = text.length > 40 ? `${text.slice(0, 37)}...` : text;
  const fail = (): never => {
    throw new InputError(`${what} must be ${expectation(rule)} (plain decimal notation), was "${shown}"`);
  };
  if (!isDecimalText(text, rule.integer)) fail();
  const n = Number(text);
  if (!Number.isFinite(n)) fail();
  if (rule.integer && !Number.isSafeInteger(n)) fail();
  if (rule.min !== undefined && (rule.exclusiveMin ? !(n > rule.min) : !(n >= rule.min))) fail();
  if (rule.max !== undefined && !(n <= rule.max)) fail();
  return n;
}
