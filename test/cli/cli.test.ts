/**
 * The `basis` command as a user runs it (compiled, via bin/basis.js): the main job on the synthetic
 * sample, and one clear line with a non-zero exit for each kind of bad input.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/basis.js');
const work = mkdtempSync(join(tmpdir(), 'basis-cli-'));

function basis(args: string[], env: Record<string, string | undefined> = {}) {
  const e: Record<string, string | undefined> = { ...process.env, BASIS_DATA_DIR: undefined, ...env };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: work,
    env: e as NodeJS.ProcessEnv,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectOneLineError(r: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(r.code).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

describe('basis backtest on the synthetic sample', () => {
  test('runs the main job and writes summary, series and events', () => {
    const r = basis(['backtest', '--mode', 'btc_basis', '--json', 'out/btc.json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/SYNTHETIC/);
    const summary = JSON.parse(readFileSync(join(work, 'out/btc.json'), 'utf8'));
    for (const k of [
      'mode',
      'share_class',
      'start',
      'end',
      'initial_capital',
      'final_equity',
      'total_return',
      'apy',
      'max_drawdown',
      'sharpe',
      'pnl',
      'trades',
      'steps',
      'runtime_ms',
      'series_file',
      'events_file',
    ]) {
      expect(summary).toHaveProperty(k);
    }
    expect(summary.data.synthetic).toBe(true);
    expect(summary.notes[0]).toMatch(/SYNTHETIC/);
    expect(summary.trades).toBeGreaterThan(3);
    const csv = readFileSync(summary.series_file, 'utf8').split('\n');
    expect(csv[0]).toMatch(/^timestamp,equity,/);
    expect(csv[1]).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00Z,/);
    expect(csv.length - 2).toBe(summary.steps);
    const events = readFileSync(summary.events_file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const types = new Set(events.map((e: { type: string }) => e.type));
    for (const t of ['deposit', 'decision', 'fill', 'funding']) expect(types).toContain(t);
  });

  test('config validate passes on the shipped config', () => {
    const r = basis(['config', 'validate']);
    expect(r.code).toBe(0);
  });
});

describe('bad input gives one clear line and a non-zero exit', () => {
  let data: string;
  beforeAll(() => {
    data = join(work, 'sample');
    const r = basis(['data', 'sample', '--dir', data]);
    expect(r.code).toBe(0);
  });

  test('unknown mode', () => {
    expectOneLineError(basis(['backtest', '--mode', 'nope']), /unknown mode "nope".*btc_basis/);
  });

  test('a mode of a family that is not registered names the registered ones', () => {
    const cfg = join(work, 'cfg-unknown-family');
    cpSync(join(ROOT, 'config'), cfg, { recursive: true });
    const f = join(cfg, 'modes/btc_basis.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/^family: basis\b/m, 'family: options'));
    expectOneLineError(
      basis(['backtest', '--mode', 'btc_basis', '--config', cfg]),
      /btc_basis\.yaml.*family.*unknown strategy family "options"; registered: lending, basis, staking, ml_directional/,
    );
  });

  test('malformed YAML', () => {
    const cfg = join(work, 'cfg-bad-yaml');
    cpSync(join(ROOT, 'config'), cfg, { recursive: true });
    writeFileSync(
      join(cfg, 'modes/btc_basis.yaml'),
      'mode: btc_basis\ndescription: [unclosed\nfamily: basis\n',
    );
    expectOneLineError(
      basis(['backtest', '--mode', 'btc_basis', '--config', cfg]),
      /btc_basis\.yaml.*line \d+/,
    );
  });

  test('wrong type in a config file', () => {
    const cfg = join(work, 'cfg-bad-type');
    cpSync(join(ROOT, 'config'), cfg, { recursive: true });
    const f = join(cfg, 'modes/btc_basis.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/perp_leverage: *[0-9.]+/, 'perp_leverage: three'));
    expectOneLineError(
      basis(['backtest', '--mode', 'btc_basis', '--config', cfg]),
      /btc_basis\.yaml.*strategy\.perp_leverage.*number/,
    );
  });

  test('wrong type in an override', () => {
    expectOneLineError(
      basis(['backtest', '--mode', 'btc_basis', '--set', 'strategy.perp_leverage=abc']),
      /strategy\.perp_leverage/,
    );
  });

  test('window outside coverage names the series and its coverage', () => {
    expectOneLineError(
      basis([
        'backtest',
        '--mode',
        'pure_lending_usdt',
        '--data',
        data,
        '--start',
        '2023-01-01',
        '--end',
        '2023-02-01',
      ]),
      /series .*covers .*2024-01-01/,
    );
  });

  test('missing data directory', () => {
    expectOneLineError(
      basis(['backtest', '--mode', 'btc_basis', '--data', join(work, 'nowhere')]),
      /nowhere.*does not exist/,
    );
  });

  test('corrupted CSV row names file, line and column', () => {
    const bad = join(work, 'sample-corrupt');
    cpSync(data, bad, { recursive: true });
    const f = join(bad, 'aave_v3/reserves/USDT_daily.csv');
    const lines = readFileSync(f, 'utf8').split('\n');
    const cols = lines[5].split(',');
    cols[5] = 'garbage';
    lines[5] = cols.join(',');
    writeFileSync(f, lines.join('\n'));
    expectOneLineError(
      basis([
        'backtest',
        '--mode',
        'pure_lending_usdt',
        '--data',
        bad,
        '--start',
        '2024-01-01',
        '--end',
        '2024-02-01',
      ]),
      /USDT_daily\.csv line 6.*liquidityIndex.*garbage/,
    );
  });

  test('bad dates, capital and flows', () => {
    expectOneLineError(basis(['backtest', '--mode', 'btc_basis', '--start', '2024-13-01']), /--start/);
    expectOneLineError(basis(['backtest', '--mode', 'btc_basis', '--capital', '-5']), /--capital/);
    // one strict decimal parser: hex, octal, binary, blanks and trailing junk are refused
    for (const bad of ['0x10', '0o7', '0b1', ' 7', '7 ', '1e3x', '', 'Infinity', '1,000'])
      expectOneLineError(
        basis(['backtest', '--mode', 'btc_basis', '--capital', bad]),
        new RegExp(
          `^basis: --capital must be a positive number \\(plain decimal notation\\), was "${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"$`,
        ),
      );
    // below what the venues can trade: the smallest unit, then the minimum order
    expectOneLineError(
      basis(['backtest', '--mode', 'btc_basis', '--capital', '0.0000001', '--no-store']),
      /capital 1e-7 USDT is below the smallest unit of the share class \(0\.000001 USDT, 6 decimals\)/,
    );
    expectOneLineError(
      basis(['backtest', '--mode', 'btc_basis', '--capital', '4', '--no-store']),
      /capital 4 USDT \(4\.000 USDT at the window's first price\) is below the minimum order notional of venue \w+ \(5 USDT\)/,
    );
    expectOneLineError(
      basis(['backtest', '--mode', 'btc_basis', '--set', 'execution.max_retries=0x5', '--no-store']),
      /--set: execution\.max_retries=0x5: number "0x5" must be written in plain decimal notation/,
    );
    expectOneLineError(basis(['backtest', '--mode', 'btc_basis', '--deposit', '2024-03-01']), /--deposit/);
    expectOneLineError(
      basis(['backtest', '--mode', 'btc_basis', '--withdraw', '2031-01-01=5']),
      /outside the backtest window/,
    );
  });

  test('the default capital follows the share class: 50 ETH, 2 BTC, 100000 USDT', () => {
    for (const [mode, capital] of [
      ['pure_lending_eth', 50],
      ['ml_btc_directional_usdt_margin', 2],
      ['pure_lending_usdt', 100_000],
    ] as const) {
      const r = basis([
        'backtest',
        '--mode',
        mode,
        '--start',
        '2024-02-01',
        '--end',
        '2024-02-03',
        '--no-store',
        '--quiet',
        '--json',
        `cap/${mode}.json`,
      ]);
      expect(r.stderr).toBe('');
      const s = JSON.parse(readFileSync(join(work, `cap/${mode}.json`), 'utf8'));
      expect(s.initial_capital).toBe(capital);
    }
    rmSync(join(work, 'cap'), { recursive: true, force: true });
  });

  test('no leftovers from failed runs', () => {
    expect(existsSync(join(work, 'results'))).toBe(false);
  });
});
