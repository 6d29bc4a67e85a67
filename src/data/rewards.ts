/**
 * ether.fi reward distributions to eETH / weETH holders, read from the dataset's published distribution
 * tables (not from the modelled `seasonal_rewards.csv` estimates):
 *
 * - `staking/etherfi/eigen_distributions.csv`: EIGEN per staking period. Tokens per eETH over the period =
 *   `eigen_earned / (eth_restaked + eth_not_restaked)`: the EIGEN earned, shared by all eETH. Until 2025-02
 *   the published `eigen_per_eeth_weekly` is that figure rounded (0.179 for 358,681 / 2,005,754; the first,
 *   six-week period pays 1.231 = 6 × 0.205); later rows publish EIGEN per restaked eETH only (up to 8 %
 *   higher), so the raw totals are used throughout (the conservative reading). Paid when the period
 *   closes: 00:00 UTC the day after `staking_period_end`.
 * - `staking/etherfi/ethfi_topups.csv`: ETHFI top-ups, `ethfi_per_eeth_distributed` per eETH held over
 *   `staking_period_start .. staking_period_end`, paid on `top_up_date` (00:00 UTC).
 *
 * Periods are whole UTC days, both dates inclusive: the accrual window is [start 00:00, end + 1 day 00:00).
 * A missing file gives no periods and is listed in `missing`; a malformed one is a DataError naming the file
 * and line.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../domain/errors.js';
import { DAY_MS, parseTimestampMs } from './timestamps.js';

export const EIGEN_DISTRIBUTIONS_FILE = 'staking/etherfi/eigen_distributions.csv';
export const ETHFI_TOPUPS_FILE = 'staking/etherfi/ethfi_topups.csv';

export interface RewardPeriod {
  token: 'EIGEN' | 'ETHFI';
  /** Accrual window [startMs, endMs), whole UTC days. */
  startMs: number;
  endMs: number;
  /** Tokens per eETH held through the whole window. */
  perEeth: number;
  /** When holders receive the tokens. */
  payMs: number;
  /** `file:line` of the row. */
  source: string;
}

export interface RewardSchedule {
  periods: RewardPeriod[];
  /** Files read (relative to the dataset root). */
  files: string[];
  /** Files that do not exist in the dataset (their rewards are not modelled). */
  missing: string[];
}

/** Reads both ether.fi distribution files under `dataDir`; periods sorted by payment time. */
export function loadEtherfiRewards(dataDir: string): RewardSchedule {
  const out: RewardSchedule = { periods: [], files: [], missing: [] };
  const eigen = readRows(dataDir, EIGEN_DISTRIBUTIONS_FILE, out);
  for (const r of eigen) {
    const start = r.date('staking_period_start');
    const end = r.date('staking_period_end') + DAY_MS;
    const earned = r.num('eigen_earned');
    const eth = r.num('eth_restaked') + r.num('eth_not_restaked');
    if (!(eth > 0)) r.fail(`eth_restaked + eth_not_restaked must be positive, was ${eth}`);
    out.periods.push(period(r, 'EIGEN', start, end, earned / eth, end));
  }
  const ethfi = readRows(dataDir, ETHFI_TOPUPS_FILE, out);
  for (const r of ethfi) {
    const start = r.date('staking_period_start');
    const end = r.date('staking_period_end') + DAY_MS;
    out.periods.push(
      period(r, 'ETHFI', start, end, r.num('ethfi_per_eeth_distributed'), r.date('top_up_date')),
    );
  }
  out.periods.sort((a, b) => a.payMs - b.payMs || a.startMs - b.startMs);
  return out;
}

function period(
  r: Row,
  token: 'EIGEN' | 'ETHFI',
  startMs: number,
  endMs: number,
  perEeth: number,
  payMs: number,
): RewardPeriod {
  if (!(endMs > startMs)) r.fail('the period ends before it starts');
  if (!(perEeth >= 0) || !Number.isFinite(perEeth)) r.fail(`tokens per eETH must be ≥ 0, was ${perEeth}`);
  if (payMs < endMs - DAY_MS) r.fail('the payment date is before the end of the period');
  return { token, startMs, endMs, perEeth, payMs, source: r.source };
}

interface Row {
  source: string;
  num(column: string): number;
  date(column: string): number;
  fail(problem: string): never;
}

function readRows(dataDir: string, file: string, out: RewardSchedule): Row[] {
  const path = join(dataDir, file);
  let exists = false;
  try {
    exists = statSync(path).isFile();
  } catch {
    exists = false;
  }
  if (!exists) {
    out.missing.push(file);
    return [];
  }
  out.files.push(file);
  const lines = readFileSync(path, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  let header: string[] | null = null;
  const rows: Row[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const fields = line.split(',').map((f) => f.trim());
    if (header === null) {
      header = fields;
      return;
    }
    const cols = header;
    const source = `${file}:${i + 1}`;
    const fail = (problem: string): never => {
      throw new DataError(`${file} line ${i + 1}: ${problem}`, undefined, file, i + 1);
    };
    if (fields.length !== cols.length)
      fail(`expected ${cols.length} fields (${cols.join(',')}), found ${fields.length}`);
    const field = (column: string): string => {
      const k = cols.indexOf(column);
      if (k < 0) fail(`header has no column "${column}" (columns: ${cols.join(',')})`);
      return fields[k];
    };
    rows.push({
      source,
      fail,
      num: (column) => {
        const v = Number(field(column));
        if (field(column) === '' || !Number.isFinite(v))
          fail(`column ${column}: ${JSON.stringify(field(column))} is not a number`);
        return v;
      },
      date: (column) => {
        const v = parseTimestampMs(field(column));
        if (!Number.isFinite(v) || v % DAY_MS !== 0)
          fail(`column ${column}: ${JSON.stringify(field(column))} is not a date (YYYY-MM-DD)`);
        return v;
      },
    });
  });
  return rows;
}
