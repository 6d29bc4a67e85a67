/**
 * Reads one YAML config file into plain data, keeping the parsed document so that problems found later
 * (schema, cross-file checks) can name the line of the offending key.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { ConfigValidationError, describeValue } from './issues.js';
import type { ConfigIssue, KeyPath } from './issues.js';

export interface YamlSource {
  /** Display path of the file (relative to the config dir's parent when possible). */
  file: string;
  /** The file's content as plain data: a mapping at the top level. */
  data: Record<string, unknown>;
  /** 1-based line of the key at `path` (or of its nearest existing ancestor); undefined if unknown. */
  lineOf(path: KeyPath): number | undefined;
}

/** Reads and parses a YAML file; throws ConfigValidationError naming file and line on a syntax error. */
export function readYamlFile(absolutePath: string, file: string): YamlSource {
  let text: string;
  try {
    text = readFileSync(absolutePath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigValidationError([
      {
        file,
        path: '',
        problem: code === 'ENOENT' ? 'file does not exist' : `cannot read file (${code ?? 'error'})`,
      },
    ]);
  }
  return parseYaml(text, file);
}

/** Parses YAML text; syntax errors become issues `line N: <parser message>`. */
export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues: ConfigIssue[] = doc.errors.map((err) => {
      const line = lineCounter.linePos(err.pos[0]).line;
      return { file, path: `line ${line}`, problem: firstLine(err.message), line };
    });
    throw new ConfigValidationError(issues);
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) {
    throw new ConfigValidationError([
      { file, path: '', problem: 'file is empty; expected a mapping of keys' },
    ]);
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigValidationError([
      {
        file,
        path: '',
        problem: `expected a mapping of keys at the top level, received ${describeValue(data)}`,
      },
    ]);
  }

  const lineOfNode = (node: Node | null | undefined): number | undefined =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;

  const lineOf = (path: KeyPath): number | undefined => {
    let node = doc.contents as Node | null;
    let line = lineOfNode(node);
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
        if (!pair) return line;
        line = lineOfNode(pair.key as Node) ?? line;
        node = pair.value as Node | null;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key] as Node | null;
        line = lineOfNode(node) ?? line;
      } else {
        return line;
      }
    }
    return line;
  };

  return { file, data: data as Record<string, unknown>, lineOf };
}

/** The parser's message without its position suffix and code frame. */
function firstLine(message: string): string {
  return message
    .split('\n')[0]
    .replace(/ at line \d+, column \d+:?$/, '')
    .trim();
}
