/**
 * Acceptance: crash recovery offline. `basis run --replay` (a process) is killed with SIGKILL at a random
 * point for several seeds — between ticks or inside one, wherever the signal lands — and started again
 * with the same command: it resumes from its journal and ends where the uninterrupted run (= the backtest
 * of the window) ends, every step recorded once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { seededRandom } from '../../src/domain/retry.js';
import { runPaths } from '../../src/engine/live/control.js';
import { FileJournal } from '../../src/engine/live/journal.js';
import { runBacktest } from '../../src/results/run.js';
import { bundle } from './bundle.js';

let CLI = '';
const DIR = mkdtempSync(join(tmpdir(), 'basis-replay-crash-'));
beforeAll(async () => {
  CLI = await bundle('test/live/cli-child.ts', 'replay-crash-child');
});
afterAll(() => {
  rmSync(CLI, { force: true });
  rmSync(DIR, { recursive: true, force: true });
});

const FROM = Date.UTC(2024, 6, 1);
const TO = Date.UTC(2024, 6, 8);

function replay(
  runId: string,
  killAfterTick?: number,
): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  const args = ['run', '--mode', 'btc_basis', '--replay', '--from', '2024-07-01', '--to', '2024-07-08'];
  args.push('--run-id', runId, '--runs-dir', join(DIR, 'runs'), '--out', join(DIR, 'results'), '--no-store');
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.ENVIRONMENT;
  const child = spawn(process.execPath, [CLI, ...args], { cwd: DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (killAfterTick !== undefined && stdout.includes(`\ntick ${killAfterTick} `)) child.kill('SIGKILL');
  });
  child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout })));
}

test('SIGKILL at random points, restart: the replay ends equal to the backtest, every step once', async () => {
  const bt = await runBacktest({ mode: 'btc_basis', startMs: FROM, endMs: TO });
  const random = seededRandom(7);
  for (const seed of [1, 2, 3]) {
    const id = `crash-${seed}`;
    const at = 2 + Math.floor(random() * 160);
    const killed = await replay(id, at);
    expect(killed.signal, killed.stdout).toBe('SIGKILL');
    const resumed = await replay(id);
    expect(resumed.code, resumed.stdout).toBe(0);
    expect(resumed.stdout).toContain('stopped: end of replay');
    const summary = JSON.parse(readFileSync(/summary: (.+)\n/.exec(resumed.stdout)![1], 'utf8'));
    expect(summary.steps).toBe(169);
    expect(Math.abs(summary.final_equity / bt.summary.final_equity - 1)).toBeLessThanOrEqual(1e-9);
    const j = FileJournal.open(runPaths(join(DIR, 'runs'), id).journal);
    const ends = j.records().filter((r) => r.type === 'tick_end');
    j.close();
    // each step ended once, in order, with the backtest's equity
    expect(ends.map((r) => r.step)).toEqual(Array.from({ length: 169 }, (_, i) => i));
    for (const r of ends) {
      const step = r.step as number;
      expect(
        Math.abs((r.equity as number) / bt.recorder.equity[step] - 1),
        `step ${step}`,
      ).toBeLessThanOrEqual(1e-9);
    }
  }
}, 120_000);
