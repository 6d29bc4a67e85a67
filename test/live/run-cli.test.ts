/**
 * Acceptance, as a user meets it (the `basis` command as a process, offline): `basis run --replay`, then
 * `basis run list|status|deposit|withdraw|stop --run-id ID` on the run it made — commands queued while
 * the run is stopped are applied when it resumes, a stop reaches a live runner — and the replay's end
 * prints the backtest's summary table and writes its files.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundle } from './bundle.js';
import { until } from '../helpers/until.js';

let CLI = '';
const DIR = mkdtempSync(join(tmpdir(), 'basis-run-cli-'));
const RUNS = join(DIR, 'runs');
beforeAll(async () => {
  CLI = await bundle('test/live/cli-child.ts', 'run-cli-child');
});
afterAll(() => {
  rmSync(CLI, { force: true });
  rmSync(DIR, { recursive: true, force: true });
});

interface Child {
  exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
  stdout: () => string;
}

function start(args: string[]): Child {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.ENVIRONMENT;
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, [CLI, ...args], { cwd: DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    exit: new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr }))),
    stdout: () => stdout,
  };
}

const basis = (args: string[]) => start(args).exit;

/** The replay of two days of the window (sample data unless BASIS_DATA_DIR is set). */
const REPLAY = [
  'run',
  '--mode',
  'pure_lending_usdt',
  '--replay',
  '--from',
  '2024-07-01',
  '--to',
  '2024-07-03',
];
const COMMON = ['--runs-dir', RUNS, '--store', join(DIR, 'store'), '--out', join(DIR, 'results')];

describe('basis run control commands', () => {
  test('list before any run', async () => {
    const r = await basis(['run', 'list', '--runs-dir', RUNS]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`no runs in ${RUNS}`);
    expect(r.code).toBe(0);
  });

  test('status of an unknown run: one line naming it', async () => {
    const r = await basis(['run', 'status', '--run-id', 'nope', '--runs-dir', RUNS]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`basis: run nope has no status yet (${join(RUNS, 'nope', 'status.json')})`);
  });

  test('replay, status, deposit and withdraw queued while stopped, applied on resume; list', async () => {
    const first = await basis([...REPLAY, '--run-id', 'r1', '--max-ticks', '24', '--quiet', ...COMMON]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('run r1: stopped after tick 24');

    const st = await basis(['run', 'status', '--run-id', 'r1', '--runs-dir', RUNS]);
    expect(st.code).toBe(0);
    const status = JSON.parse(st.stdout) as Record<string, unknown>;
    expect(status).toMatchObject({
      runId: 'r1',
      mode: 'pure_lending_usdt',
      state: 'stopped',
      tick: 24,
      time: '2024-07-01T23:00:00.000Z',
      alive: false,
      shareClass: 'USDT',
    });
    expect((status.totals as Record<string, number>).deposits).toBe(100_000);

    const dep = await basis(['run', 'deposit', '--run-id', 'r1', '--amount', '5000', '--runs-dir', RUNS]);
    expect(dep.code).toBe(0);
    expect(dep.stdout).toMatch(/^deposit 5000 queued for run r1 \(command \d{15}-[0-9a-f]{8}\)\n$/);
    const wd = await basis(['run', 'withdraw', '--run-id', 'r1', '--amount', '2000', '--runs-dir', RUNS]);
    expect(wd.code).toBe(0);
    expect(wd.stdout).toMatch(/^withdraw 2000 queued for run r1 \(command \d{15}-[0-9a-f]{8}\)\n$/);
    const bad = await basis(['run', 'deposit', '--run-id', 'r1', '--amount', '-5', '--runs-dir', RUNS]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--amount');

    // the resumed replay applies both at its next tick and replays to the end of the window
    const second = await basis([...REPLAY, '--run-id', 'r1', ...COMMON]);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('control: deposit 5000');
    expect(second.stdout).toContain('control: withdraw 2000');
    expect(second.stdout).toContain('reconciled: venues match the journal');
    expect(second.stdout).toContain('run r1 stopped: end of replay');
    // the backtest's summary table and files
    expect(second.stdout).toMatch(
      /window\s+2024-07-01T00:00:00Z \.\. 2024-07-03T00:00:00Z \(49 hourly steps\)/,
    );
    expect(second.stdout).toMatch(/deposits\s+5,000 USDT/);
    expect(second.stdout).toMatch(/withdrawals\s+2,000 USDT/);
    const summaryFile = /summary: (.+)\n/.exec(second.stdout)![1];
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Record<string, unknown>;
    expect(summary).toMatchObject({
      mode: 'pure_lending_usdt',
      steps: 49,
      deposits: 5000,
      withdrawals: 2000,
    });
    expect(existsSync(summary.series_file as string)).toBe(true);
    expect(second.stdout).toMatch(/run: {5}\S+ \(results store /);

    const after = JSON.parse((await basis(['run', 'status', '--run-id', 'r1', '--runs-dir', RUNS])).stdout);
    expect(after.tick).toBe(49);
    expect(after.totals).toMatchObject({ deposits: 105_000, withdrawals: 2000, pendingWithdrawal: 0 });
    expect(after.equity).toBe(summary.final_equity);

    const list = await basis(['run', 'list', '--runs-dir', RUNS]);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['run id', 'mode', 'state', 'alive', 'tick', 'time', 'equity']);
    expect(lines[1].split(/\s{2,}/)).toEqual([
      'r1',
      'pure_lending_usdt',
      'stopped',
      'no',
      '49',
      '2024-07-03T00:00:00.000Z',
      `${(summary.final_equity as number).toFixed(2)} USDT`,
    ]);
    const json = JSON.parse((await basis(['run', 'list', '--runs-dir', RUNS, '--json'])).stdout);
    expect(json).toEqual([
      expect.objectContaining({
        runId: 'r1',
        state: 'stopped',
        alive: false,
        tick: 49,
        equity: summary.final_equity,
      }),
    ]);
  }, 120_000);

  test('stop reaches a running runner: status says alive, the run stops cleanly after its tick', async () => {
    // 3600× real time: one hourly tick per second, so the runner is alive while the commands are sent
    // (a week's window: the stop has minutes to arrive on a loaded machine)
    const week = [...REPLAY.slice(0, -1), '2024-07-08'];
    const run = start([...week, '--run-id', 'r2', '--speed', '3600', '--no-store', ...COMMON]);
    await until('the first tick', () => run.stdout().includes('tick 1 '));
    const st = await basis(['run', 'status', '--run-id', 'r2', '--runs-dir', RUNS]);
    expect(JSON.parse(st.stdout)).toMatchObject({ runId: 'r2', state: 'running', alive: true });
    const listed = await basis(['run', 'list', '--runs-dir', RUNS]);
    expect(listed.stdout).toMatch(/\nr2\s+pure_lending_usdt\s+running\s+yes\s+\d+/);
    const stop = await basis(['run', 'stop', '--run-id', 'r2', '--runs-dir', RUNS]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toMatch(/^stop queued for run r2 \(command \d{15}-[0-9a-f]{8}\)\n$/);
    const end = await run.exit;
    expect(end.code).toBe(0);
    expect(end.stdout).toContain('control: stop');
    expect(end.stdout).toContain('run r2 stopped: stop command');
    const ticks = Number(/run r2: stopped after tick (\d+)/.exec(end.stdout)![1]);
    expect(ticks).toBeLessThan(169);
    // a replay stopped mid-way prints the summary of the steps it made
    expect(end.stdout).toContain(`(${ticks} hourly steps)`);
    const after = JSON.parse((await basis(['run', 'status', '--run-id', 'r2', '--runs-dir', RUNS])).stdout);
    expect(after).toMatchObject({ state: 'stopped', alive: false, tick: ticks });
  }, 120_000);
});
