/**
 * A run that stops mid-way is written, not lost: files and a store entry with status failed, holding the
 * steps recorded before the failing one (real dataset: a withdrawal beyond the equity of its step).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DATA_DIR } from '../helpers/raw.js';

const BIN = resolve(__dirname, '../../bin/basis.js');
const work = mkdtempSync(join(tmpdir(), 'basis-failed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function basis(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: work,
    env: { ...process.env, BASIS_DATA_DIR: DATA_DIR },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!DATA_DIR)('a run that fails mid-way', () => {
  test('keeps what it recorded: summary, series and a failed run in the store', () => {
    const store = join(work, 'store');
    const r = basis([
      ...['backtest', '--mode', 'ml_usdt_directional_usdt_margin', '--capital', '100000'],
      ...['--start', '2024-03-01', '--end', '2024-04-15', '--store', store, '--json', 'f/s.json', '--quiet'],
      ...['--withdraw', '2024-03-05=99000', '--deposit', '2024-03-10=5000', '--withdraw', '2024-04-01=5990'],
    ]);
    expect(r.code).toBe(1);
    const error = r.stderr.trim();
    expect(error).toMatch(
      /^basis: withdrawal of 5990 USDT at 2024-04-01T00:00:00Z exceeds the equity then \(\d+\.\d+\)$/,
    );
    const s = JSON.parse(readFileSync(join(work, 'f/s.json'), 'utf8'));
    expect(s.status).toBe('failed');
    expect(`basis: ${s.error}`).toBe(error);
    // 5-minute steps from 2024-03-01 00:00 to the last one before 2024-04-01 00:00
    expect(s.steps).toBe(31 * 288);
    expect(s.end).toBe('2024-03-31T23:55:00Z');
    const csv = readFileSync(join(work, 'f/s.series.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(1 + 31 * 288);
    expect(Number(csv[csv.length - 1].split(',')[1])).toBeCloseTo(s.final_equity, 6);
    expect(r.stdout).toContain(`run failed after ${31 * 288} steps (up to 2024-03-31T23:55:00Z)`);
    const list = basis(['runs', 'list', '--store', store]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/ failed +ml_usdt_directional_usdt_margin +2024-03-01\.\.2024-03-31 /);
  });

  test('withdrawals beyond the capital and deposits are refused before the run starts', () => {
    const r = basis([
      ...['backtest', '--mode', 'btc_basis', '--start', '2024-03-01', '--end', '2024-04-15'],
      ...['--capital', '100000', '--withdraw', '2024-03-10=60000', '--withdraw', '2024-03-20=45000'],
      '--no-store',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'basis: withdrawals up to 2024-03-20T00:00:00Z (105000 USDT) exceed the capital and deposits up to then (100000 USDT)',
    );
  });
});
