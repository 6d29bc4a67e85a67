/**
 * Predictions files: CSV with the columns `timestamp,signal,confidence,sd` (found by name, in any order;
 * other columns are ignored), one row per prediction, sorted by time, no repeated timestamps.
 * `timestamp` is the decision time (ISO or unix seconds like the dataset), `signal` long / short / neutral,
 * `confidence` 0..1, `sd` the standard deviation of the predicted move as a decimal (> 0). `#` lines are
 * comments; blank lines, a BOM and CRLF are accepted; quoting is not. Every problem is one line with the
 * file and line number (see validate.ts).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DataError } from '../domain/errors.js';
import { formatIsoSecondUtc, parseTimestampMs } from '../data/timestamps.js';
import { signalOf, type PredictionSet, type SignalReport, type SignalSource } from './types.js';
import { PredictionBuilder } from './validate.js';

export const PREDICTION_COLUMNS = ['timestamp', 'signal', 'confidence', 'sd'] as const;

/** Parses the text of a predictions file; `file` is the name shown in messages. */
export function parsePredictionsCsv(text: string, file: string): PredictionSet {
  const lines = text.split('\n');
  const b = new PredictionBuilder(file);
  let header: string[] | null = null;
  type Columns = Record<(typeof PREDICTION_COLUMNS)[number], number>;
  let col: Columns | null = null;
  for (let li = 0; li < lines.length; li++) {
    let line = lines[li];
    if (li === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const where = `${file} line ${li + 1}`;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    if (line.includes('"'))
      throw new DataError(`${where}: quoted fields are not supported`, undefined, file, li + 1);
    const fields = line.split(',').map((f) => f.trim());
    if (header === null) {
      header = fields;
      const missing = PREDICTION_COLUMNS.filter((c) => !fields.includes(c));
      if (missing.length > 0)
        throw new DataError(
          `${where}: header has no column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} (columns: ${fields.join(',')}; expected ${PREDICTION_COLUMNS.join(',')})`,
          undefined,
          file,
          li + 1,
        );
      col = Object.fromEntries(PREDICTION_COLUMNS.map((c) => [c, fields.indexOf(c)])) as Columns;
      continue;
    }
    if (fields.length !== header.length)
      throw new DataError(
        `${where}: expected ${header.length} fields (${header.join(',')}), found ${fields.length}`,
        undefined,
        file,
        li + 1,
      );
    const c = col!;
    const num = (name: 'confidence' | 'sd'): number => {
      const t = fields[c[name]];
      const x = t === '' ? NaN : Number(t);
      if (!Number.isFinite(x))
        throw new DataError(`${where}: column ${name}: "${t}" is not a number`, undefined, file, li + 1);
      return x;
    };
    const tsText = fields[c.timestamp];
    b.add(where, parseTimestampMs(tsText), tsText, fields[c.signal], num('confidence'), num('sd'));
  }
  if (header === null)
    throw new DataError(
      `${file}: the file is empty (expected a header ${PREDICTION_COLUMNS.join(',')})`,
      undefined,
      file,
    );
  if (b.length === 0) throw new DataError(`${file}: no prediction rows after the header`, undefined, file);
  return b.build(`file ${file}`);
}

/** Reads and validates a predictions file (DataError for a missing file or a bad row). */
export function readPredictionsFile(path: string, shown: string = path): PredictionSet {
  let text: string;
  try {
    text = readFileSync(resolve(path), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(
      code === 'ENOENT'
        ? `predictions file ${shown} does not exist`
        : `predictions file ${shown} cannot be read (${code ?? (e as Error).message})`,
      undefined,
      shown,
    );
  }
  return parsePredictionsCsv(text, shown);
}

/** Writes a predictions file: `# comment` lines, the header, one row per prediction. */
export function writePredictionsCsv(path: string, p: PredictionSet, comments: readonly string[] = []): void {
  const out: string[] = comments.map((c) => `# ${c}`);
  out.push(PREDICTION_COLUMNS.join(','));
  for (let i = 0; i < p.timestampsMs.length; i++) {
    out.push(
      `${formatIsoSecondUtc(p.timestampsMs[i])},${signalOf(p.direction[i])},${round(p.confidence[i])},${round(p.sd[i])}`,
    );
  }
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, out.join('\n') + '\n');
}

function round(x: number): string {
  return String(Number(x.toPrecision(8)));
}

/** The `file` source: a predictions CSV, restricted to the requested window. */
export class FileSignalSource implements SignalSource {
  readonly name: string;
  /** `shown` names the file in messages and the report (a server shows a source name, not its path). */
  constructor(
    private readonly path: string,
    private readonly shown: string = path,
  ) {
    this.name = `file ${shown}`;
  }

  async load(): Promise<{ predictions: PredictionSet; report: SignalReport }> {
    const t0 = performance.now();
    const predictions = readPredictionsFile(this.path, this.shown);
    return {
      predictions,
      report: {
        source: 'file',
        path: this.shown,
        rows: predictions.timestampsMs.length,
        load_ms: round1(performance.now() - t0),
      },
    };
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
