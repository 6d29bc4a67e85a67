/**
 * The house plan's layering, checked over the sources with the TypeScript compiler's import scanner
 * (static, re-export and dynamic imports; type-only imports count too). A lower room never imports a
 * higher one, and no two rooms import each other (docs/architecture.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const SRC = join(ROOT, 'src');

/** Rooms from the bottom up; a room may import only rooms listed before it. */
export const LAYERS = [
  'domain',
  'config',
  'data',
  'defi',
  'signals',
  'venues',
  'devnet',
  'portfolio',
  'risk',
  'strategies',
  'execution',
  'engine',
  'results',
  'sweep',
  'agents',
  'server',
  'cli',
] as const;

interface Edge {
  from: string;
  to: string;
  file: string;
  spec: string;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function roomOf(file: string): string {
  return relative(SRC, file).split('/')[0];
}

function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of sources(SRC)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      if (!ref.fileName.startsWith('.')) continue;
      const target = normalize(join(dirname(file), ref.fileName));
      if (!target.startsWith(SRC)) continue;
      const from = roomOf(file);
      const to = roomOf(target);
      if (from !== to) out.push({ from, to, file: relative(ROOT, file), spec: ref.fileName });
    }
  }
  return out;
}

describe('layers', () => {
  const all = edges();

  it('scans the real import graph (every room is known, the graph is not empty)', () => {
    const rooms = new Set(all.flatMap((e) => [e.from, e.to]));
    for (const r of rooms) expect(LAYERS as readonly string[], `room src/${r} is not in LAYERS`).toContain(r);
    // the engine imports strategies, the cli imports the engine: the scan sees real imports
    expect(all.some((e) => e.from === 'engine' && e.to === 'strategies')).toBe(true);
    expect(all.some((e) => e.from === 'cli' && e.to === 'engine')).toBe(true);
  });

  it('no room imports a higher one', () => {
    const rank = (r: string) => (LAYERS as readonly string[]).indexOf(r);
    const upward = all
      .filter((e) => rank(e.to) > rank(e.from))
      .map((e) => `${e.file} (${e.from}) imports ${e.spec} (${e.to})`);
    expect(upward).toEqual([]);
  });

  it('no cycle between rooms', () => {
    const pairs = new Set(all.map((e) => `${e.from}>${e.to}`));
    const cycles = [...pairs].filter((p) => {
      const [a, b] = p.split('>');
      return pairs.has(`${b}>${a}`);
    });
    expect(cycles).toEqual([]);
  });

  it('simulated venues are built only inside src/venues (the venue factory)', () => {
    const outside = all
      .filter((e) => e.to === 'venues' && e.from !== 'venues' && /\/simulated(\/|$)/.test(e.spec))
      .map((e) => `${e.file} imports ${e.spec}`);
    expect(outside).toEqual([]);
  });
});
