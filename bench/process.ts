/**
 * Whole-process figures for `npm run bench`: every mode as a user runs it, `node bin/basis.js backtest`
 * in a fresh process, wall time and peak RSS beside the engine's own runtime (from the summary JSON),
 * once with `--no-store` and once saving to the embedded store; plus `--help` and `modes`. Each figure is
 * the median of RUNS runs after one warm-up run (which fills the data cache and, for the ML modes, the
 * prediction cache). Targets: `--help` < 100 ms, `modes` < 150 ms; a backtest ≤ engine time + 200 ms
 * without the store, + 400 ms with it; the ML modes < 1.5 s and < 250 MiB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/results/store/version.js';

const RUNS = Number(process.env.BENCH_PROCESS_RUNS ?? 3);
const ROOT = packageRoot();
const BIN = join(ROOT, 'bin/basis.js');
const HOOK = join(ROOT, 'dist/bench/rss-hook.js');

interface Sample {
  wallMs: number;
  rssMiB: number;
  engineMs: number | null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function once(args: string[], work: string, json: string | null): Sample {
  const rssFile = join(work, 'rss');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], {
    cwd: work,
    env: { ...process.env, BENCH_RSS_FILE: rssFile },
    encoding: 'utf8',
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`basis ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
  const rssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  const engineMs = json
    ? (JSON.parse(readFileSync(join(work, json), 'utf8')) as { runtime_ms: number }).runtime_ms
    : null;
  return { wallMs, rssMiB, engineMs };
}

function measure(args: string[], work: string, json: string | null): Sample {
  once(args, work, json); // warm-up: data cache, prediction cache, OS file cache
  const s = Array.from({ length: RUNS }, () => once(args, work, json));
  return {
    wallMs: median(s.map((x) => x.wallMs)),
    rssMiB: median(s.map((x) => x.rssMiB)),
    engineMs: json ? median(s.map((x) => x.engineMs!)) : null,
  };
}

export function benchProcesses(modes: readonly string[], capitalOf: (mode: string) => number): void {
  const work = mkdtempSync(join(tmpdir(), 'basis-bench-process-'));
  try {
    const help = measure(['--help'], work, null);
    const list = measure(['modes'], work, null);
    const f = (x: number) => x.toFixed(0);
    const out: string[] = [
      '',
      `whole process (node bin/basis.js, median of ${RUNS} after a warm-up):`,
      `  --help: ${f(help.wallMs)} ms, ${f(help.rssMiB)} MiB  ${help.wallMs < 100 ? 'ok (< 100 ms)' : 'MISSED (100 ms)'}`,
      `  modes:  ${f(list.wallMs)} ms, ${f(list.rssMiB)} MiB  ${list.wallMs < 150 ? 'ok (< 150 ms)' : 'MISSED (150 ms)'}`,
    ];
    const header = [
      'mode',
      'engine ms',
      'no-store wall ms',
      'peak MiB',
      'store wall ms',
      'peak MiB',
      'target',
    ];
    const rows: string[][] = [];
    for (const mode of modes) {
      const base = ['backtest', '--mode', mode, '--capital', String(capitalOf(mode)), '--quiet'];
      const bare = measure([...base, '--no-store', '--json', 'bare/s.json'], work, 'bare/s.json');
      const stored = measure(
        [...base, '--store', join(work, 'store'), '--json', 'stored/s.json'],
        work,
        'stored/s.json',
      );
      const ml = mode.startsWith('ml_');
      const okBare = bare.wallMs <= bare.engineMs! + 200;
      const okStored = stored.wallMs <= stored.engineMs! + 400;
      const okMl = !ml || (bare.wallMs < 1500 && bare.rssMiB < 250);
      rows.push([
        mode,
        f(bare.engineMs!),
        f(bare.wallMs),
        f(bare.rssMiB),
        f(stored.wallMs),
        f(stored.rssMiB),
        okBare && okStored && okMl
          ? `ok (≤ engine + 200 / + 400 ms${ml ? '; < 1.5 s, < 250 MiB' : ''})`
          : `MISSED (${[!okBare && 'no-store > engine + 200 ms', !okStored && 'store > engine + 400 ms', !okMl && 'ML ≥ 1.5 s or ≥ 250 MiB'].filter(Boolean).join('; ')})`,
      ]);
    }
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => '  ' + r.map((c, i) => c.padEnd(widths[i])).join('  ');
    out.push(line(header), ...rows.map(line), '');
    process.stdout.write(out.join('\n'));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
