/** ether.fi reward distribution tables: periods, tokens per eETH, payment times, errors. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DataError } from '../../src/domain/errors.js';
import { EIGEN_DISTRIBUTIONS_FILE, ETHFI_TOPUPS_FILE, loadEtherfiRewards } from '../../src/data/rewards.js';
import { DATA_DIR, readCsv } from '../helpers/raw.js';

const DAY = 86_400_000;
const utc = (d: string) => Date.parse(`${d}T00:00:00Z`);

const made: string[] = [];
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function dataset(eigen: string | null, ethfi: string | null): string {
  const dir = mkdtempSync(join(tmpdir(), 'basis-rewards-'));
  made.push(dir);
  mkdirSync(join(dir, 'staking/etherfi'), { recursive: true });
  if (eigen !== null) writeFileSync(join(dir, EIGEN_DISTRIBUTIONS_FILE), eigen);
  if (ethfi !== null) writeFileSync(join(dir, ETHFI_TOPUPS_FILE), ethfi);
  return dir;
}

const EIGEN_HEADER =
  'staking_period_start,staking_period_end,eigen_earned,eth_restaked,eth_not_restaked,eigen_per_eeth_weekly';
const ETHFI_HEADER =
  'top_up_date,staking_period_start,staking_period_end,ethfi_amount,ethfi_per_eeth_distributed';

describe('loadEtherfiRewards', () => {
  test('EIGEN per eETH = earned / (restaked + not restaked), paid the day after the period; ETHFI on its top-up date', () => {
    const dir = dataset(
      `${EIGEN_HEADER}\n2024-10-06,2024-10-12,358681,1531605,474149,0.179\n`,
      `${ETHFI_HEADER}\n2024-10-28,2024-10-06,2024-10-12,41000,0.020\n`,
    );
    const s = loadEtherfiRewards(dir);
    expect(s.missing).toEqual([]);
    expect(s.periods).toHaveLength(2);
    const [eigen, ethfi] = s.periods;
    expect(eigen.token).toBe('EIGEN');
    expect(eigen.perEeth).toBeCloseTo(358681 / (1531605 + 474149), 15);
    expect(eigen.startMs).toBe(utc('2024-10-06'));
    expect(eigen.endMs).toBe(utc('2024-10-12') + DAY);
    expect(eigen.payMs).toBe(eigen.endMs);
    expect(ethfi).toMatchObject({ token: 'ETHFI', perEeth: 0.02, payMs: utc('2024-10-28') });
  });

  test('a missing file is listed, not an error; a malformed row names file, line and column', () => {
    expect(loadEtherfiRewards(dataset(null, null)).missing).toEqual([
      EIGEN_DISTRIBUTIONS_FILE,
      ETHFI_TOPUPS_FILE,
    ]);
    const bad = dataset(`${EIGEN_HEADER}\n2024-10-06,2024-10-12,lots,1531605,474149,0.179\n`, null);
    expect(() => loadEtherfiRewards(bad)).toThrow(DataError);
    expect(() => loadEtherfiRewards(bad)).toThrow(
      /staking\/etherfi\/eigen_distributions.csv line 2: column eigen_earned: "lots" is not a number/,
    );
    const short = dataset(null, `${ETHFI_HEADER}\n2024-10-28,2024-10-06,41000,0.020\n`);
    expect(() => loadEtherfiRewards(short)).toThrow(/line 2: expected 5 fields/);
  });

  test.skipIf(!DATA_DIR)('the real tables: 44 EIGEN periods and 7 ETHFI top-ups', () => {
    const s = loadEtherfiRewards(DATA_DIR);
    const rows = readCsv(EIGEN_DISTRIBUTIONS_FILE);
    expect(s.periods.filter((p) => p.token === 'EIGEN')).toHaveLength(rows.length);
    expect(s.periods.filter((p) => p.token === 'ETHFI')).toHaveLength(readCsv(ETHFI_TOPUPS_FILE).length);
    // the first, six-week KING period: 0.205 EIGEN per eETH per week
    const first = s.periods.find((p) => p.startMs === utc('2024-08-15'))!;
    expect(first.perEeth / 6).toBeCloseTo(0.205, 3);
    // every period: the EIGEN earned over all eETH (restaked or not), from the raw columns
    for (const r of rows) {
      const p = s.periods.find((x) => x.token === 'EIGEN' && x.startMs === utc(r.staking_period_start))!;
      const truth = Number(r.eigen_earned) / (Number(r.eth_restaked) + Number(r.eth_not_restaked));
      expect(p.perEeth).toBeCloseTo(truth, 12);
      expect(p.endMs).toBe(utc(r.staking_period_end) + DAY);
    }
  });
});
