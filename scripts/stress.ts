/**
 * `npm run test:stress [-- --runs N] [--workers K] [--no-load] [FILE...]`: runs the timing-sensitive test
 * files N times (default 10) while K busy worker threads (default: one per core) keep every core loaded,
 * and reports the failures per file. Exits 1 when any run of any file failed. Not part of `npm test`: CI runs
 * the README's test command; this is how a change that touches timing is checked before it lands.
 *
 * Each round is one `vitest run` over all the files (they run in parallel forks, as in the full suite), with
 * the JSON reporter; a round whose report is missing counts as a failure of every file in it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Files whose tests wait on wall-clock events: sockets, child processes, anvil, timeouts, polling. */
export const TIMING_SENSITIVE = [
  'test/onchain/faults.test.ts',
  'test/onchain/devnet.test.ts',
  'test/onchain/testnet-mode.test.ts',
  'test/live/market-source.test.ts',
  'test/live/policy.test.ts',
  'test/live/faults.test.ts',
  'test/live/crash.test.ts',
  'test/live/cex-api.test.ts',
  'test/live/paper.test.ts',
  'test/live/testnet.test.ts',
  'test/signals/http.test.ts',
  'test/data/real.test.ts',
  'test/server/api.test.ts',
];

interface Options {
  runs: number;
  workers: number;
  files: string[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 10, workers: availableParallelism(), files: [] };
  const count = (flag: string, v: string | undefined, min: number): number => {
    if (v === undefined || !/^[0-9]+$/.test(v) || Number(v) < min)
      throw new Error(`${flag} needs a whole number >= ${min}, got ${v ?? 'nothing'}`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = count('--runs', argv[++i], 1);
    else if (a === '--workers') o.workers = count('--workers', argv[++i], 0);
    else if (a === '--no-load') o.workers = 0;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a} (--runs N, --workers K, --no-load)`);
    else o.files.push(a);
  }
  if (o.files.length === 0) o.files = TIMING_SENSITIVE;
  for (const f of o.files) if (!existsSync(f)) throw new Error(`no test file ${f}`);
  return o;
}

/** K threads that spin until terminated: the machine is as busy as a loaded CI runner. */
function startLoad(k: number): Worker[] {
  const spin = 'let x = 0; for (;;) { x = (x * 1103515245 + 12345) % 2147483648; }';
  return Array.from({ length: k }, () => new Worker(spin, { eval: true }));
}

interface Report {
  testResults: {
    name: string;
    status: string;
    message?: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

interface FileTally {
  failedRuns: number;
  failures: string[];
}

function runVitest(files: string[], outFile: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', '--reporter=json', `--outputFile=${outFile}`, ...files],
      { stdio: ['ignore', 'ignore', 'pipe'], env: process.env },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.once('exit', (code) => {
      if (code !== 0 && !existsSync(outFile)) process.stderr.write(err);
      resolve(code);
    });
  });
}

const firstLine = (s: string) =>
  s
    .split('\n')
    .find((l) => l.trim().length > 0)
    ?.trim() ?? '';

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const cwd = process.cwd();
  const tally = new Map<string, FileTally>(o.files.map((f) => [f, { failedRuns: 0, failures: [] }]));
  const tmp = mkdtempSync(join(tmpdir(), 'basis-stress-'));
  process.stdout.write(
    `stress: ${o.files.length} files × ${o.runs} runs, ${o.workers} busy worker thread(s) on ${availableParallelism()} core(s)\n`,
  );
  const load = startLoad(o.workers);
  const t0 = Date.now();
  try {
    for (let run = 1; run <= o.runs; run++) {
      const outFile = join(tmp, `run-${run}.json`);
      const started = Date.now();
      const code = await runVitest(o.files, outFile);
      const failedNow: string[] = [];
      if (!existsSync(outFile)) {
        for (const f of o.files) {
          tally.get(f)!.failedRuns++;
          tally.get(f)!.failures.push(`run ${run}: vitest exited ${code} without a report`);
        }
        failedNow.push('all (no report)');
      } else {
        const report = JSON.parse(readFileSync(outFile, 'utf8')) as Report;
        for (const r of report.testResults) {
          const file = r.name.startsWith(cwd) ? r.name.slice(cwd.length + 1) : r.name;
          const t = tally.get(file);
          if (!t) continue;
          const failed = r.assertionResults.filter((a) => a.status === 'failed');
          if (r.status !== 'failed' && failed.length === 0) continue;
          t.failedRuns++;
          failedNow.push(file);
          if (failed.length === 0) t.failures.push(`run ${run}: ${firstLine(r.message ?? 'file failed')}`);
          for (const a of failed)
            t.failures.push(`run ${run}: ${a.fullName}: ${firstLine(a.failureMessages[0] ?? '')}`);
        }
      }
      process.stdout.write(
        `run ${run}/${o.runs}: ${((Date.now() - started) / 1000).toFixed(0)} s, ` +
          `${failedNow.length === 0 ? 'all passed' : `FAILED ${failedNow.join(', ')}`}\n`,
      );
    }
  } finally {
    await Promise.all(load.map((w) => w.terminate()));
    rmSync(tmp, { recursive: true, force: true });
  }
  const width = Math.max(...o.files.map((f) => f.length));
  process.stdout.write(
    `\nfailed runs per file (${o.runs} runs, ${((Date.now() - t0) / 60_000).toFixed(1)} min):\n`,
  );
  let total = 0;
  for (const [f, t] of tally) {
    total += t.failedRuns;
    process.stdout.write(`  ${f.padEnd(width)}  ${t.failedRuns}/${o.runs}\n`);
    for (const m of t.failures) process.stdout.write(`      ${m.slice(0, 300)}\n`);
  }
  process.stdout.write(total === 0 ? 'stress: no failures\n' : `stress: ${total} failed file run(s)\n`);
  if (total > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`stress: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
