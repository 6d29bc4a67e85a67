/**
 * What an API caller may set: the allow-list of override keys, derived from the mode schema (with every
 * registered family's `strategy` parameters).
 *
 * A caller sets parameters, never a file path, a URL, an environment variable name or a credential
 * (docs/security.md). The rule is by construction, not a deny-list: below the parameter blocks listed in
 * CALLER_BLOCKS, a key is settable when its schema is a number, a boolean, an enum or a literal; a string
 * only when its schema carries `meta({ caller: kind })` naming what the text is (a venue name, a
 * registered signal source, a duration), and the value is then checked against the operator's catalogue
 * before anything touches the filesystem. A new free-text field is therefore operator-only until someone
 * decides otherwise; `meta({ caller: false })` withdraws an enum (signals.source: a caller picks a
 * registered source by name instead). The CLI, run by the operator, is not restricted.
 */
import { DURATION_RE } from '../domain/duration.js';
import { ConfigError } from '../domain/errors.js';
import { anyFamilyModeSchema } from './families.js';
import { OVERRIDE_SOURCE, parseOverride } from './overrides.js';

/** Top-level blocks of a mode that hold parameters (everything else is the mode's identity). */
export const CALLER_BLOCKS = [
  'strategy',
  'risk',
  'execution',
  'data_policy',
  'hedge_allocation',
  'hedge_coverage_rule',
  'lst_type',
  'venues',
  'signals',
] as const;

/** Kinds of caller-settable text, each checked against the catalogue. */
type TextKind = 'venue' | 'signal_source' | 'duration';

type Node =
  | { kind: 'object'; children: Map<string, Node> }
  | { kind: 'record'; key: TextKind | null; value: Node }
  | { kind: 'array'; element: Node }
  | { kind: 'scalar'; type: string; text: TextKind | null };

/** The operator's names a caller's text is checked against. */
export interface CallerCatalogue {
  venues: readonly string[];
  signalSources: readonly string[];
}

interface ZodLike {
  def: {
    type: string;
    innerType?: ZodLike;
    shape?: Record<string, ZodLike>;
    keyType?: ZodLike;
    valueType?: ZodLike;
    element?: ZodLike;
    in?: ZodLike;
  };
  meta(): Record<string, unknown> | undefined;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/**
 * The node of a schema, or null when it (or a wrapper) is withdrawn from callers. With `all`, every
 * key of the schema (to tell a key that exists but is the operator's from a misspelt one).
 */
function nodeOf(schema: ZodLike, all = false): Node | null {
  let s = schema;
  let text: TextKind | null = null;
  for (;;) {
    const m = s.meta()?.caller;
    if (m === false && !all) return null;
    if (typeof m === 'string') text = m as TextKind;
    if (WRAPPERS.has(s.def.type) && s.def.innerType) s = s.def.innerType;
    else if (s.def.type === 'pipe' && s.def.in) s = s.def.in;
    else break;
  }
  switch (s.def.type) {
    case 'object': {
      const children = new Map<string, Node>();
      for (const [k, v] of Object.entries(s.def.shape ?? {})) {
        const n = nodeOf(v, all);
        if (n) children.set(k, n);
      }
      return { kind: 'object', children };
    }
    case 'record': {
      const value = nodeOf(s.def.valueType!, all);
      if (!value) return null;
      const keyMeta = s.def.keyType?.meta()?.caller;
      return { kind: 'record', key: typeof keyMeta === 'string' ? (keyMeta as TextKind) : null, value };
    }
    case 'array': {
      const element = nodeOf(s.def.element!, all);
      return element ? { kind: 'array', element } : null;
    }
    case 'number':
    case 'boolean':
    case 'enum':
    case 'literal':
      return { kind: 'scalar', type: s.def.type, text: null };
    case 'string':
      return text || all ? { kind: 'scalar', type: 'string', text } : null;
    default:
      return all ? { kind: 'scalar', type: s.def.type, text: null } : null;
  }
}

// built from the registered families' schemas; rebuilt when a family registers (anyFamilyModeSchema)
let built: object | null = null;
let tree: Map<string, Node> | null = null;
let schemaTree: Node | null = null;

function schema(): ZodLike {
  const s = anyFamilyModeSchema();
  if (s !== built) {
    built = s;
    tree = null;
    schemaTree = null;
  }
  return s as unknown as ZodLike;
}

/** Whether `path` names a key of some family's mode schema (else the schema reports it: unknown key). */
function inSchema(path: readonly string[]): boolean {
  const s = schema();
  schemaTree ??= nodeOf(s, true);
  let n: Node | undefined | null = schemaTree;
  for (const seg of path) {
    if (!n) return false;
    if (n.kind === 'object') n = n.children.get(seg);
    else if (n.kind === 'record') n = n.value;
    else if (n.kind === 'array') n = n.element;
    else return false;
  }
  return !!n;
}

function callerTree(): Map<string, Node> {
  const s = schema();
  if (tree) return tree;
  const root = nodeOf(s);
  const out = new Map<string, Node>();
  if (root?.kind === 'object')
    for (const b of CALLER_BLOCKS) {
      const n = root.children.get(b);
      if (n) out.set(b, n);
    }
  tree = out;
  return out;
}

/** Every key pattern an API caller may override, e.g. `strategy.perp_leverage`, `hedge_allocation.<venue>`. */
export function callerOverrideKeys(): string[] {
  const out: string[] = [];
  const walk = (prefix: string, n: Node): void => {
    if (n.kind === 'object') for (const [k, c] of n.children) walk(`${prefix}.${k}`, c);
    else if (n.kind === 'record') walk(`${prefix}.<${n.key ?? 'key'}>`, n.value);
    else if (n.kind === 'array') walk(`${prefix}.<index>`, n.element);
    else out.push(n.text ? `${prefix} (${n.text.replace('_', ' ')})` : prefix);
  };
  for (const [k, n] of callerTree()) walk(k, n);
  return out.map((s) => s.replace(/^\./, ''));
}

function checkText(kind: TextKind, value: unknown, catalogue: CallerCatalogue): string | null {
  if (value === null) return null;
  if (typeof value !== 'string') return `expected a ${kind.replace('_', ' ')} name`;
  switch (kind) {
    case 'venue':
      return catalogue.venues.includes(value)
        ? null
        : `unknown venue ${JSON.stringify(value.slice(0, 64))}; available: ${catalogue.venues.join(', ')}`;
    case 'signal_source':
      return catalogue.signalSources.includes(value)
        ? null
        : `unknown signal source ${JSON.stringify(value.slice(0, 64))}; registered: ${catalogue.signalSources.length > 0 ? catalogue.signalSources.join(', ') : '(none)'}`;
    case 'duration':
      return DURATION_RE.test(value) ? null : 'expected a duration like 5m, 12h or 30d';
  }
}

/**
 * Checks overrides sent by an API caller: each key must be on the allow-list and each text value a name
 * from the operator's catalogue. Throws ConfigError (`--set`, the override, the problem) → 400.
 */
export function checkCallerOverrides(overrides: readonly string[], catalogue: CallerCatalogue): void {
  next: for (const text of overrides) {
    const { path, value } = parseOverride(text);
    const fail = (problem: string): never => {
      throw new ConfigError(OVERRIDE_SOURCE, text.length > 120 ? `${text.slice(0, 117)}...` : text, problem);
    };
    const refused = (): void => {
      // a misspelt key is left to the schema ("unknown key, did you mean …"): it opens nothing
      if (!inSchema(path)) return;
      fail(
        `key ${path.join('.').slice(0, 120)} cannot be set through the API (callers set parameters; paths, URLs, environment names and credentials are the operator's, see docs/security.md)`,
      );
    };
    let node: Node | undefined = callerTree().get(path[0]);
    if (!node) {
      refused();
      continue next;
    }
    for (let i = 1; i < path.length; i++) {
      const seg = path[i];
      const n: Node = node!;
      if (n.kind === 'object') node = n.children.get(seg);
      else if (n.kind === 'record') {
        if (n.key) {
          const problem = checkText(n.key, seg, catalogue);
          if (problem) fail(`${path.slice(0, i).join('.')}: ${problem}`);
        }
        node = n.value;
      } else if (n.kind === 'array') {
        if (!/^\d{1,3}$/.test(seg)) fail(`${path.slice(0, i).join('.')} is a list; expected an index`);
        node = n.element;
      } else node = undefined;
      if (!node) {
        refused();
        continue next;
      }
    }
    const leaf = node!;
    if (leaf.kind !== 'scalar') {
      fail(`${path.join('.')} is a block; set one of its keys`);
      return;
    }
    if (leaf.text) {
      const problem = checkText(leaf.text, value, catalogue);
      if (problem) fail(problem);
    }
  }
}

/**
 * Checks the names in a mode document a caller sent (POST /api/config/validate): every venue it names
 * (the `venues` map, `hedge_allocation` keys) and its registered signal source must be in the catalogue
 * before the document is resolved against the operator's files. Returns the problems, one line each.
 */
export function checkCallerNames(
  data: unknown,
  catalogue: CallerCatalogue,
): { path: string; problem: string }[] {
  const problems: { path: string; problem: string }[] = [];
  if (data === null || typeof data !== 'object') return problems;
  const doc = data as Record<string, unknown>;
  const names = (obj: unknown, path: string, keys: boolean): void => {
    if (obj === null || typeof obj !== 'object') return;
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      const problem = checkText('venue', keys ? k : v, catalogue);
      if (problem) problems.push({ path: `${path}.${k}`, problem });
    }
  };
  names(doc.venues, 'venues', false);
  names(doc.hedge_allocation, 'hedge_allocation', true);
  const use = (doc.signals as Record<string, unknown> | undefined)?.use;
  if (use !== undefined) {
    const problem = checkText('signal_source', use, catalogue);
    if (problem) problems.push({ path: 'signals.use', problem });
  }
  return problems;
}
