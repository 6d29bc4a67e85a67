/**
 * Acceptance, as a user meets it (the `basis run` command): every misconfiguration — missing
 * credentials, unknown venue, an environment without its URL, live without confirmation — fails with one
 * line and a non-zero exit before any network call (the local exchanges see no request); and a run's
 * output, journal, events and status never contain a configured secret (run as a separate process).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { bundle } from './bundle.js';
import { fundAccounts, liveFixture, type LiveFixture } from './setup.js';

let f: LiveFixture;
let CLI = '';
beforeAll(async () => {
  CLI = await bundle('test/live/cli-child.ts', 'cli-child');
  f = await liveFixture();
  fundAccounts(f.h, 1_000_000);
});
afterAll(async () => {
  rmSync(CLI, { force: true });
  await f.cleanup();
});

function basis(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const e: NodeJS.ProcessEnv = { ...process.env, ENVIRONMENT: undefined, ...env };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  const child = spawn(process.execPath, [CLI, ...args], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

/** The CLI in this process (same code path as bin/basis.js) with `env` as the process environment. */
async function basisHere(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = { ...process.env };
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
    for (const [k, v] of Object.entries(env))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const k of Object.keys(process.env)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

const requests = () => Object.values(f.h.exchanges).reduce((n, e) => n + e.server.log.length, 0);

function runArgs(extra: string[]): string[] {
  return [
    'run',
    '--mode',
    'btc_basis',
    '--config',
    f.cfg.dir,
    '--runs-dir',
    f.runsDir,
    '--tick',
    '100ms',
    '--max-ticks',
    '2',
    ...extra,
  ];
}

describe('misconfiguration fails before any network call, with one line', () => {
  const cases: [string, string[], (env: NodeJS.ProcessEnv) => NodeJS.ProcessEnv, RegExp][] = [
    [
      'missing credentials',
      ['--preset', 'cex_testnet_onchain_simulated'],
      (env) => ({ ...env, BYBIT_TESTNET_SECRET_KEY: undefined }),
      /^basis: config\/venues\/bybit\.yaml: environments\.testnet\.secret_key: environment variable BYBIT_TESTNET_SECRET_KEY is not set$/,
    ],
    [
      'unknown venue',
      ['--preset', 'cex_testnet_onchain_simulated', '--venue-env', 'kraken=testnet'],
      (env) => env,
      /^basis: unknown venue "kraken" in --venue-env: mode btc_basis uses binance, bybit, okx, wallet$/,
    ],
    [
      'unknown venue in the mode',
      [
        '--preset',
        'cex_testnet_onchain_simulated',
        '--set',
        'hedge_allocation.kraken=0.1',
        '--set',
        'hedge_allocation.okx=0.2',
      ],
      (env) => env,
      /^basis: config\/modes\/btc_basis\.yaml: hedge_allocation\.kraken: mode btc_basis needs venue "kraken" but config\/venues\/kraken\.yaml does not exist$/,
    ],
    [
      'live without confirmation',
      ['--environment', 'live'],
      (env) => env,
      /^basis: environment live trades real money on binance, bybit, okx, wallet: pass --confirm-live to proceed$/,
    ],
    [
      'a venue without a client for its environment',
      ['--environment', 'testnet'],
      (env) => env,
      /^basis: wallet \(wallet\) has no testnet client in the wall-clock runner in this version \(on-chain venues: docs\/onchain.md\); run it in simulation/,
    ],
    [
      'not an environment',
      ['--environment', 'prod'],
      (env) => env,
      /^basis: environment "prod" is not an environment; expected simulation, testnet or live$/,
    ],
  ];
  for (const [name, args, env, pattern] of cases) {
    test(name, async () => {
      const before = requests();
      const r = await basisHere(runArgs(args), env({ ...process.env, ENVIRONMENT: undefined, ...f.env }));
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(pattern);
      expect(requests() - before).toBe(0);
      for (const v of Object.values(f.env)) if (v) expect(r.stderr + r.stdout).not.toContain(v);
    });
  }

  test('an environment without its URL', async () => {
    const file = 'venues/bybit.yaml';
    const original = f.cfg.read(file);
    try {
      f.cfg.write(file, original.replace(/(\n {2}testnet:\n) {4}rest_url: [^\n]*\n/, '$1'));
      const before = requests();
      const r = await basisHere(runArgs(['--preset', 'cex_testnet_onchain_simulated']), {
        ...process.env,
        ...f.env,
      });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(
        'basis: config/venues/bybit.yaml: environments.testnet.rest_url: missing (needed by the testnet client)',
      );
      expect(requests() - before).toBe(0);
    } finally {
      f.cfg.write(file, original);
    }
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('secrets never reach logs, journal, events or status', () => {
  test('a testnet run, and a run refused for a wrong key, leave no configured secret anywhere', async () => {
    const ok = await basis(
      runArgs(['--preset', 'cex_testnet_onchain_simulated', '--capital', '50000', '--run-id', 'secrets']),
      f.env,
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/tick 2 /);
    const wrong = { ...f.env, OKX_TESTNET_SECRET_KEY: 'a-wrong-secret-value-123' };
    const bad = await basis(
      runArgs(['--preset', 'cex_testnet_onchain_simulated', '--run-id', 'secrets-bad']),
      wrong,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^basis: okx: .*AuthenticationError 50113/);
    const secrets = [...Object.values(f.env), 'a-wrong-secret-value-123'].filter((v): v is string => !!v);
    expect(secrets.length).toBe(8);
    const texts = [
      ok.stdout,
      ok.stderr,
      bad.stdout,
      bad.stderr,
      ...filesUnder(f.runsDir).map((p) => readFileSync(p, 'utf8')),
    ];
    expect(texts.join('\n')).toContain('"type":"fill"');
    for (const secret of secrets)
      for (const t of texts) expect(t.includes(secret), 'a secret was written').toBe(false);
  });
});
