/**
 * Config problems as data: one `ConfigIssue` per problem (file, dotted key path, what was expected and
 * received), and `ConfigValidationError`, a ConfigError whose one-line message is the first issue.
 */
import { z } from 'zod';
import { ConfigError } from '../domain/errors.js';

/** One problem in one config file. `path` is the dotted key path (`strategy.perp_leverage`), or `line N`. */
export interface ConfigIssue {
  /** File the problem is in, relative to the config dir's parent when possible (`config/modes/x.yaml`). */
  file: string;
  path: string;
  /** What is wrong: `expected number, received string "three"`, `unknown key`, … */
  problem: string;
  /** 1-based line of the key in the file, when known. */
  line?: number;
}

/** A ConfigError carrying every problem found; `message` names the first one only. */
export class ConfigValidationError extends ConfigError {
  readonly issues: readonly ConfigIssue[];
  /** Line of the first problem, when known. */
  readonly line: number | undefined;
  constructor(issues: readonly ConfigIssue[]) {
    if (issues.length === 0) throw new Error('ConfigValidationError needs at least one issue');
    const first = issues[0];
    super(first.file, first.path, first.problem);
    this.issues = issues;
    this.line = first.line;
  }
}

/** Formats an issue the way ConfigError formats its message: `file: path: problem`. */
export function formatIssue(issue: ConfigIssue): string {
  return `${issue.file}${issue.path ? `: ${issue.path}` : ''}: ${issue.problem}`;
}

/** The issues behind any error thrown by the config loader (a plain ConfigError becomes one issue). */
export function issuesOf(error: unknown): ConfigIssue[] {
  if (error instanceof ConfigValidationError) return [...error.issues];
  if (error instanceof ConfigError) return [{ file: error.file, path: error.path, problem: error.problem }];
  throw error;
}

export type KeyPath = readonly PropertyKey[];

export function joinPath(path: KeyPath): string {
  return path.map(String).join('.');
}

export interface ZodIssueContext {
  file: string;
  /** The raw input, to describe what was received at an issue's path. */
  raw: unknown;
  /** The schema that failed, to suggest known keys for an unknown one. */
  schema?: z.ZodType;
  /** Line of a key path in the file. */
  lineOf?: (path: KeyPath) => number | undefined;
  /** Paths whose values must never be printed (credentials); only their type is shown. */
  redact?: (path: KeyPath) => boolean;
  /** Paths set by `--set` overrides: the problem says so. */
  overridden?: (path: KeyPath) => string | undefined;
}

/** Turns a zod error into issues: one per problem, one per unknown key. */
export function zodIssues(error: z.ZodError, ctx: ZodIssueContext): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        const known = ctx.schema ? objectKeysAt(ctx.schema, issue.path) : undefined;
        const suggestion = known ? closest(key, known) : undefined;
        out.push(make(ctx, path, `unknown key${suggestion ? ` (did you mean ${suggestion}?)` : ''}`));
      }
      continue;
    }
    out.push(
      make(ctx, issue.path, describeIssue(issue, valueAt(ctx.raw, issue.path), ctx.redact?.(issue.path))),
    );
  }
  return out;
}

function make(ctx: ZodIssueContext, path: KeyPath, problem: string): ConfigIssue {
  const setBy = ctx.overridden?.(path);
  const issue: ConfigIssue = {
    file: ctx.file,
    path: joinPath(path),
    problem: setBy ? `${problem} (from --set ${setBy})` : problem,
  };
  const line = setBy ? undefined : ctx.lineOf?.(path);
  if (line !== undefined) issue.line = line;
  return issue;
}

function describeIssue(issue: z.core.$ZodIssue, received: unknown, redact = false): string {
  const got = describeValue(received, redact);
  switch (issue.code) {
    case 'invalid_type':
      if (received === undefined) return `required key missing (expected ${typeName(issue.expected)})`;
      return `expected ${typeName(issue.expected)}, received ${got}`;
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = small ? issue.minimum : issue.maximum;
      const op = small ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      if (issue.origin === 'string')
        return `expected ${small ? 'at least' : 'at most'} ${bound} characters, received ${got}`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `expected ${small ? 'at least' : 'at most'} ${bound} items, received ${got}`;
      return `expected a number ${op} ${bound}, received ${got}`;
    }
    case 'invalid_value':
      if (issue.values.length === 1) return `expected ${JSON.stringify(issue.values[0])}, received ${got}`;
      return `expected one of ${issue.values.map((v) => String(v)).join(', ')}, received ${got}`;
    case 'invalid_format':
      if (issue.format === 'regex' && 'pattern' in issue)
        return `expected a string matching ${String(issue.pattern)}, received ${got}`;
      return `expected a ${issue.format} string, received ${got}`;
    case 'not_multiple_of':
      return `expected a multiple of ${issue.divisor}, received ${got}`;
    case 'custom':
      return issue.message;
    default:
      return `${issue.message}, received ${got}`;
  }
}

function typeName(expected: string): string {
  if (expected === 'object' || expected === 'record' || expected === 'map') return 'a mapping';
  if (expected === 'array' || expected === 'tuple') return 'a list';
  return expected;
}

/** Describes a received value for a message: `string "three"`, `number 1.5`, `a list`, `null`. */
export function describeValue(value: unknown, redact = false): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (redact) return `${typeof value} (value hidden)`;
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  return `${typeof value} ${String(value)}`;
}

/** The value at a key path in plain data, or undefined. */
export function valueAt(data: unknown, path: KeyPath): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** Keys an object schema accepts at `path` (through defaults, optionals and records), if it is an object. */
export function objectKeysAt(schema: z.ZodType, path: KeyPath): string[] | undefined {
  let cur: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    if (cur instanceof z.ZodObject) cur = (cur.shape as Record<string, z.ZodType>)[String(key)];
    else if (cur instanceof z.ZodRecord) cur = cur.def.valueType as z.ZodType;
    else return undefined;
    if (!cur) return undefined;
    cur = unwrap(cur);
  }
  return cur instanceof z.ZodObject ? Object.keys(cur.shape) : undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let cur = schema;
  while (cur instanceof z.ZodDefault || cur instanceof z.ZodOptional || cur instanceof z.ZodNullable) {
    cur = cur.def.innerType as z.ZodType;
  }
  return cur;
}

/** The known key closest to a misspelt one (edit distance ≤ 2, or ≤ a third of its length). */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
