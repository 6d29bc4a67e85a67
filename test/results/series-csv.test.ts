/** The series CSV writer against the cell rule it documents (12 significant digits, ISO UTC timestamps). */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { formatNumber, writeSeriesCsv } from '../../src/results/series-csv.js';

const reference = (x: number): string =>
  Number.isNaN(x)
    ? ''
    : x === Infinity
      ? 'inf'
      : x === -Infinity
        ? '-inf'
        : String(Number(x.toPrecision(12)));

test('cells equal String(Number(x.toPrecision(12))) on edge and random values', () => {
  const values = [
    0,
    -0,
    1,
    -1,
    0.1,
    1 / 3,
    1e12,
    1e12 - 1,
    -1e12 + 1,
    123456789012345,
    1e-7,
    2.5e-300,
    9.99999999999951e20,
  ];
  let seed = 7;
  for (let i = 0; i < 20_000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const u = seed / 2147483648;
    values.push((u - 0.5) * 10 ** Math.floor(u * 30 - 12), Math.round((u - 0.5) * 1e14));
  }
  for (const v of values) expect(formatNumber(v), String(v)).toBe(reference(v));
  expect([NaN, Infinity, -Infinity].map(formatNumber)).toEqual(['', 'inf', '-inf']);
});

test('rows: ISO timestamps (milliseconds only when non-zero), one column per series, only `length` rows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'basis-csv-'));
  const file = join(dir, 's.csv');
  const ts = Float64Array.from([
    Date.UTC(2024, 1, 29, 23, 55),
    Date.UTC(2024, 2, 1, 0, 0),
    Date.UTC(2024, 2, 1, 7, 5, 9, 42),
    0,
  ]);
  writeSeriesCsv(
    file,
    ts,
    [
      { name: 'a', values: Float64Array.from([1.5, NaN, 1 / 3, 9]) },
      { name: 'b', values: Float64Array.from([0, Infinity, -2, 9]) },
    ],
    3,
  );
  expect(readFileSync(file, 'utf8')).toBe(
    'timestamp,a,b\n' +
      '2024-02-29T23:55:00Z,1.5,0\n' +
      '2024-03-01T00:00:00Z,,inf\n' +
      '2024-03-01T07:05:09.042Z,0.333333333333,-2\n',
  );
});
