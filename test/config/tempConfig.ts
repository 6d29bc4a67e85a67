/** Test helper: a writable copy of the shipped config directory in a temp dir. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfigDir } from '../../src/config/index.js';

export interface TempConfig {
  /** The copied config dir (`<tmp>/config`). */
  dir: string;
  read(rel: string): string;
  write(rel: string, text: string): void;
  /** Replaces `from` with `to` in a file; fails the test if `from` is absent. */
  replace(rel: string, from: string | RegExp, to: string): void;
  remove(rel: string): void;
  cleanup(): void;
}

export function tempConfig(): TempConfig {
  const root = mkdtempSync(join(tmpdir(), 'basis-config-'));
  const dir = join(root, 'config');
  cpSync(resolveConfigDir(), dir, { recursive: true });
  const read = (rel: string): string => readFileSync(join(dir, rel), 'utf8');
  const write = (rel: string, text: string): void => writeFileSync(join(dir, rel), text);
  return {
    dir,
    read,
    write,
    replace(rel, from, to) {
      const text = read(rel);
      const next = text.replace(from, to);
      if (next === text) throw new Error(`${rel}: ${String(from)} not found`);
      write(rel, next);
    },
    remove(rel) {
      rmSync(join(dir, rel));
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Runs `fn`, expecting it to throw; returns the error. */
export function thrown(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected an error, none was thrown');
}

/** 1-based line of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not found`);
  return i + 1;
}
