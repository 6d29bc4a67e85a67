/**
 * The durable record of a sweep: `<dir>/<id>/sweep.json` (what was asked and the key of every run) and
 * `<dir>/<id>/runs.jsonl`, one line per finished run appended as it finishes. A sweep restarted with the
 * same id reads the lines back and runs only the keys it has not recorded; a line torn by a kill is
 * ignored (its run is done again).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../domain/errors.js';
import type { BacktestSummary } from '../results/summary.js';
import type { SweepRun, SweepSpec } from './spec.js';

export const SWEEP_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface RunRecord extends SweepRun {
  summary: BacktestSummary | null;
  error: string | null;
  /** Id of the run in the results store, when saved there. */
  run_id: string | null;
  finished_at: string;
  /** Who ran it (a queue worker's name), when distributed. */
  worker?: string;
}

export interface SweepHeader {
  id: string;
  created_at: string;
  spec: SweepSpec;
  keys: string[];
}

export function checkSweepId(id: string): string {
  if (!SWEEP_ID_RE.test(id))
    throw new InputError(`sweep id "${id.slice(0, 70)}" must be 1-64 letters, digits, "_" or "-"`);
  return id;
}

export function newSweepId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `sw-${t}-${Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, '0')}`;
}

export class SweepJournal {
  readonly done = new Map<string, RunRecord>();
  private readonly file: string;

  private constructor(
    readonly dir: string,
    readonly header: SweepHeader,
  ) {
    this.file = join(dir, 'runs.jsonl');
  }

  /** Opens (or creates) the journal of sweep `id` under `root`; refuses one started with other runs. */
  static open(root: string, id: string, spec: SweepSpec, runs: SweepRun[]): SweepJournal {
    const dir = join(root, checkSweepId(id));
    const headerFile = join(dir, 'sweep.json');
    const keys = runs.map((r) => r.key);
    let header: SweepHeader;
    if (existsSync(headerFile)) {
      header = JSON.parse(readFileSync(headerFile, 'utf8')) as SweepHeader;
      const mine = new Set(keys);
      if (header.keys.length !== keys.length || header.keys.some((k) => !mine.has(k)))
        throw new InputError(
          `sweep ${id} was started with other runs (${header.keys.length} runs: modes ${header.spec.modes.join(', ')}, grid ${header.spec.grid.map((g) => g.key).join(', ') || '(none)'}); resume it with the same parameters or use another --id`,
        );
    } else {
      mkdirSync(dir, { recursive: true });
      header = { id, created_at: new Date().toISOString(), spec, keys };
      writeFileSync(headerFile, JSON.stringify(header, null, 2) + '\n');
    }
    const j = new SweepJournal(dir, header);
    j.readBack(true);
    return j;
  }

  /** Reads an existing sweep's records (no runs are added); null when there is no such sweep. */
  static read(root: string, id: string): { header: SweepHeader; records: RunRecord[] } | null {
    const dir = join(root, checkSweepId(id));
    if (!existsSync(join(dir, 'sweep.json'))) return null;
    const header = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as SweepHeader;
    const j = new SweepJournal(dir, header);
    j.readBack(false);
    return { header, records: [...j.done.values()] };
  }

  private readBack(repair: boolean): void {
    if (!existsSync(this.file)) return;
    const keys = new Set(this.header.keys);
    const text = readFileSync(this.file, 'utf8');
    if (repair && text.length > 0 && !text.endsWith('\n')) appendFileSync(this.file, '\n'); // end a torn line
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let rec: RunRecord;
      try {
        rec = JSON.parse(line) as RunRecord;
      } catch {
        continue; // torn by a kill mid-write: that run is done again
      }
      if (keys.has(rec.key) && !this.done.has(rec.key)) this.done.set(rec.key, rec);
    }
  }

  append(rec: RunRecord): void {
    appendFileSync(this.file, JSON.stringify(rec) + '\n');
    this.done.set(rec.key, rec);
  }
}
