/** Predictions files: the format, and one clear line (file and line) for every kind of bad input. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import {
  alignPredictions,
  parsePredictionsCsv,
  readPredictionsFile,
  writePredictionsCsv,
} from '../../src/signals/index.js';

const T0 = Date.UTC(2024, 0, 1);
const ok = [
  '# a comment',
  'timestamp,signal,confidence,sd,model',
  '2024-01-01T00:00:00Z,long,0.7,0.004,m1',
  '',
  '2024-01-01T00:05:00Z,short,0.55,0.0035,m1',
  '1704067800,neutral,0,0.003,m1',
].join('\r\n');

describe('predictions CSV', () => {
  it('parses rows in any column order, with comments, blank lines, CRLF and unix seconds', () => {
    const p = parsePredictionsCsv(ok, 'p.csv');
    expect([...p.timestampsMs]).toEqual([T0, T0 + 300_000, T0 + 600_000]);
    expect([...p.direction]).toEqual([1, -1, 0]);
    expect([...p.confidence]).toEqual([0.7, 0.55, 0]);
    expect([...p.sd]).toEqual([0.004, 0.0035, 0.003]);
    const swapped = 'sd,confidence,signal,timestamp\n0.004,0.7,long,2024-01-01T00:00:00Z\n';
    expect([...parsePredictionsCsv(swapped, 'q.csv').direction]).toEqual([1]);
  });

  it.each([
    [
      'missing columns',
      'timestamp,signal\n2024-01-01T00:00:00Z,long\n',
      'p.csv line 1: header has no columns "confidence", "sd" (columns: timestamp,signal; expected timestamp,signal,confidence,sd)',
    ],
    [
      'unknown signal',
      'timestamp,signal,confidence,sd\n2024-01-01T00:00:00Z,buy,0.7,0.004\n',
      'p.csv line 2: column signal: "buy" is not one of long, short, neutral',
    ],
    [
      'unsorted',
      'timestamp,signal,confidence,sd\n2024-01-01T00:05:00Z,long,0.7,0.004\n2024-01-01T00:00:00Z,long,0.7,0.004\n',
      "p.csv line 3: timestamp 2024-01-01T00:00:00Z is before the previous row's 2024-01-01T00:05:00Z (p.csv line 2); rows must be sorted by time",
    ],
    [
      'duplicate',
      'timestamp,signal,confidence,sd\n2024-01-01T00:00:00Z,long,0.7,0.004\n2024-01-01T00:00:00Z,short,0.7,0.004\n',
      'p.csv line 3: duplicate timestamp 2024-01-01T00:00:00Z (also at p.csv line 2); one prediction per time',
    ],
    [
      'sd = 0',
      'timestamp,signal,confidence,sd\n2024-01-01T00:00:00Z,long,0.7,0\n',
      'p.csv line 2: column sd: 0 must be a number > 0 (the decimal standard deviation of the move, e.g. 0.004)',
    ],
    [
      'sd < 0',
      'timestamp,signal,confidence,sd\n2024-01-01T00:00:00Z,long,0.7,-0.01\n',
      'p.csv line 2: column sd: -0.01 must be a number > 0',
    ],
    [
      'confidence > 1',
      'timestamp,signal,confidence,sd\n2024-01-01T00:00:00Z,long,1.2,0.01\n',
      'p.csv line 2: column confidence: 1.2 must be a number between 0 and 1',
    ],
    [
      'not a number',
      'timestamp,signal,confidence,sd\n2024-01-01T00:00:00Z,long,high,0.01\n',
      'p.csv line 2: column confidence: "high" is not a number',
    ],
    [
      'bad timestamp',
      'timestamp,signal,confidence,sd\n2024-13-01T00:00:00Z,long,0.5,0.01\n',
      'p.csv line 2: column timestamp: "2024-13-01T00:00:00Z" is not a valid timestamp',
    ],
    [
      'field count',
      'timestamp,signal,confidence,sd\n2024-01-01T00:00:00Z,long,0.5\n',
      'p.csv line 2: expected 4 fields (timestamp,signal,confidence,sd), found 3',
    ],
    [
      'quotes',
      'timestamp,signal,confidence,sd\n"2024-01-01",long,0.5,0.01\n',
      'p.csv line 2: quoted fields are not supported',
    ],
    ['empty', '# nothing\n', 'p.csv: the file is empty (expected a header timestamp,signal,confidence,sd)'],
    ['no rows', 'timestamp,signal,confidence,sd\n', 'p.csv: no prediction rows after the header'],
  ])('%s → one line naming file and line', (_name, text, message) => {
    let err: unknown;
    try {
      parsePredictionsCsv(text, 'p.csv');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DataError);
    const m = (err as Error).message;
    expect(m.startsWith(message)).toBe(true);
    expect(m).not.toContain('\n');
  });

  it('a missing file is one line; write → read round-trips', () => {
    expect(() => readPredictionsFile('/nonexistent/p.csv')).toThrow(
      'predictions file /nonexistent/p.csv does not exist',
    );
    const dir = mkdtempSync(join(tmpdir(), 'basis-preds-'));
    const p = parsePredictionsCsv(ok, 'p.csv');
    const file = join(dir, 'out.csv');
    writePredictionsCsv(file, p, ['made by a test']);
    const back = readPredictionsFile(file);
    expect(back.timestampsMs).toEqual(p.timestampsMs);
    expect(back.direction).toEqual(p.direction);
    expect(back.confidence).toEqual(p.confidence);
    expect(back.sd).toEqual(p.sd);
    writeFileSync(join(dir, 'bad.csv'), 'timestamp,signal,confidence,sd\n2024-01-01T00:00:00Z,long,0.5,0\n');
    expect(() => readPredictionsFile(join(dir, 'bad.csv'))).toThrow(
      `${join(dir, 'bad.csv')} line 2: column sd`,
    );
  });
});

describe('alignPredictions', () => {
  it('a prediction acts on the first bar opening at or after its time; the latest wins a bar', () => {
    const text = [
      'timestamp,signal,confidence,sd',
      '2023-12-31T23:00:00Z,long,0.9,0.01', // before the window: outside
      '2024-01-01T00:00:00Z,long,0.9,0.01', // bar 0
      '2024-01-01T00:02:00Z,short,0.8,0.02', // made at 00:02: bar 1 (00:05)
      '2024-01-01T00:05:00Z,long,0.7,0.03', // also bar 1: supersedes
      '2024-01-01T00:20:00Z,neutral,0,0.01', // bar 4
      '2024-01-01T09:00:00Z,long,0.9,0.01', // after the window
    ].join('\n');
    const g = alignPredictions(parsePredictionsCsv(text, 'p.csv'), {
      startMs: T0,
      stepMs: 300_000,
      length: 6,
    });
    expect([...g.direction]).toEqual([1, 1, 0, 0, 0, 0]);
    expect([...g.confidence].map((x) => (Number.isNaN(x) ? null : x))).toEqual([
      0.9,
      0.7,
      null,
      null,
      0,
      null,
    ]);
    expect(g).toMatchObject({ covered: 3, superseded: 1, outside: 2 });
  });
});
