/**
 * Server paths never leave the server. Every response body passes the root redactor: the data and
 * config directories, the working, temporary and home directories become labels that keep the useful
 * relative part (`<data>/binance/BTCUSDT_1h.csv line 12`). Error messages (4xx bodies, a failed run's
 * error) also lose any other absolute path (`<path>`).
 */
import { homedir, tmpdir } from 'node:os';
import { resolve, sep } from 'node:path';

export type Redactor = (text: string) => string;

/** An absolute path: `/x…` after the start, a blank, a quote, `(`, `=` or `,` (not `://` of a URL). */
const ABSOLUTE = /(^|[\s"'(=,[])(\/[^\s"'),;\]]+|[A-Za-z]:\\[^\s"'),;\]]+)/g;

/** Replaces only the known roots (safe on any response body: links like `/api/…` stay as they are). */
export function rootRedactor(roots: { dir: string; label: string }[]): Redactor {
  const known = knownRoots(roots);
  return (text: string) => {
    let out = text;
    for (const r of known) if (out.includes(r.dir)) out = out.split(r.dir).join(r.label);
    return out;
  };
}

function knownRoots(roots: { dir: string; label: string }[]): { dir: string; label: string }[] {
  return (
    [
      ...roots.map((r) => ({ dir: resolve(r.dir), label: r.label })),
      { dir: resolve(process.cwd()), label: '.' },
      { dir: resolve(tmpdir()), label: '<tmp>' },
      { dir: resolve(homedir()), label: '~' },
    ]
      .filter((r) => r.dir !== sep)
      // longest first, so a data dir below the working directory keeps its own label
      .sort((a, b) => b.dir.length - a.dir.length)
  );
}

/** For error messages: the known roots, then any other absolute path becomes `<path>`. */
export function pathRedactor(roots: { dir: string; label: string }[]): Redactor {
  const roots_ = rootRedactor(roots);
  return (text: string) => roots_(text).replace(ABSOLUTE, (_m, pre: string) => `${pre}<path>`);
}
