/**
 * `--set key.path=value` overrides. They are applied to the raw YAML data BEFORE schema validation, so
 * a wrong type or a misspelt key fails exactly as it would in the file.
 */
import { isScalar, parseDocument } from 'yaml';
import { isDecimalText } from '../domain/decimal.js';
import { ConfigError } from '../domain/errors.js';
import type { KeyPath } from './issues.js';

/** The pseudo file name overrides are reported under. */
export const OVERRIDE_SOURCE = '--set';

export interface ParsedOverride {
  /** The override as given, e.g. `strategy.perp_leverage=2`. */
  text: string;
  /** Key path segments, e.g. ['strategy', 'perp_leverage']. */
  path: string[];
  /** The value parsed as a YAML scalar: number, boolean, null or string. */
  value: unknown;
}

const KEY_SEGMENT = /^[A-Za-z0-9_-]+$/;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * Parses one `key.path=value` override. The value is read as a YAML scalar: `2` is a number, `true` a
 * boolean, `null` null, `'2'` or `abc` a string. Throws ConfigError (file `--set`) when malformed.
 * @example parseOverride('hedge_allocation.okx=0') // { path: ['hedge_allocation', 'okx'], value: 0, … }
 */
export function parseOverride(text: string): ParsedOverride {
  const fail = (problem: string): never => {
    throw new ConfigError(OVERRIDE_SOURCE, text, problem);
  };
  const eq = text.indexOf('=');
  if (eq < 0) fail('expected key.path=value (no "=" found)');
  const keyText = text.slice(0, eq).trim();
  const valueText = text.slice(eq + 1);
  if (keyText === '') fail('expected key.path=value (empty key path)');
  const path = keyText.split('.');
  for (const segment of path) {
    if (segment === '') fail(`empty key in path "${keyText}"`);
    if (!KEY_SEGMENT.test(segment)) fail(`key "${segment}" may contain only letters, digits, "_" and "-"`);
    if (FORBIDDEN_SEGMENTS.has(segment)) fail(`key "${segment}" is not allowed`);
  }
  if (valueText.trim() === '')
    fail(`empty value; write ${keyText}=null for null or ${keyText}="''" for an empty string`);

  const doc = parseDocument(valueText, { prettyErrors: false });
  if (doc.errors.length > 0)
    fail(`value is not a valid YAML scalar (${doc.errors[0].message.split('\n')[0]})`);
  if (doc.contents !== null && !isScalar(doc.contents)) {
    fail(
      'value must be a scalar (number, boolean, null or string); set map keys one at a time or quote the text',
    );
  }
  const value = doc.toJS() as unknown;
  // `0x10`, `0o7` are numbers to YAML; a person typing a parameter means decimal (src/domain/decimal.ts)
  if (typeof value === 'number' && !isDecimalText(valueText.trim()))
    fail(`number "${valueText.trim().slice(0, 40)}" must be written in plain decimal notation`);
  return { text, path, value };
}

/**
 * Returns a deep copy of `data` with every override applied in order (later ones win). Missing
 * intermediate mappings are created; setting a key below a scalar fails.
 * @example applyOverrides(raw, ['strategy.perp_leverage=2', 'hedge_allocation.okx=0'])
 */
export function applyOverrides<T>(data: T, overrides: readonly string[]): T {
  const copy = structuredClone(data);
  for (const text of overrides) {
    const { path, value } = parseOverride(text);
    let cursor: unknown = copy;
    for (let i = 0; i < path.length; i++) {
      const key = path[i];
      const last = i === path.length - 1;
      if (cursor === null || typeof cursor !== 'object') {
        throw new ConfigError(OVERRIDE_SOURCE, text, `${path.slice(0, i).join('.')} is not a mapping`);
      }
      const container = cursor as Record<string, unknown>;
      if (Array.isArray(container) && !/^\d+$/.test(key)) {
        throw new ConfigError(
          OVERRIDE_SOURCE,
          text,
          `${path.slice(0, i).join('.')} is a list; expected an index`,
        );
      }
      if (last) {
        container[key] = value;
      } else {
        if (container[key] === undefined || container[key] === null) container[key] = {};
        cursor = container[key];
      }
    }
  }
  return copy;
}

/**
 * For error messages: which override set the value at `path` (or one of its ancestors), if any.
 * Returns the override text of the last one that did.
 */
export function overrideFor(overrides: readonly string[], path: KeyPath): string | undefined {
  const dotted = path.map(String);
  let found: string | undefined;
  for (const text of overrides) {
    const eq = text.indexOf('=');
    if (eq < 0) continue;
    const keys = text.slice(0, eq).trim().split('.');
    if (keys.length <= dotted.length && keys.every((k, i) => k === dotted[i])) found = text;
  }
  return found;
}
