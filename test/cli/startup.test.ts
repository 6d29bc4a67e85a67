/**
 * Startup cost as a set of modules, not a timing: a command loads only what it needs. `basis --help` and a
 * `--no-store` backtest on simulated venues must not load viem, ccxt, fastify, the database drivers or the
 * live engine; the commands that do need them (serve, devnet up, run, the store) load them on demand.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/basis.js');
const HOOK = join(ROOT, 'test/helpers/module-trace/register.mjs');
const work = mkdtempSync(join(tmpdir(), 'basis-startup-'));
const HEAVY = ['viem', 'ccxt', 'fastify', '@fastify', '@electric-sql', 'pg', 'ws', 'ox', 'abitype'];

let n = 0;
function loadedBy(args: string[]): {
  code: number | null;
  stderr: string;
  packages: Set<string>;
  own: string[];
} {
  const trace = join(work, `trace-${n++}.txt`);
  const env: Record<string, string | undefined> = {
    ...process.env,
    MODULE_TRACE_OUT: trace,
    BASIS_DATA_DIR: undefined,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, ['--import', HOOK, BIN, ...args], {
    cwd: work,
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
  });
  const urls = readFileSync(trace, 'utf8').trim().split('\n');
  const packages = new Set<string>();
  for (const u of urls) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u);
    if (m) packages.add(m[1].startsWith('@') ? m[1].split('/')[0] : m[1]);
  }
  const own = urls.filter((u) => u.includes('/dist/src/')).map((u) => u.slice(u.indexOf('/dist/src/') + 10));
  return { code: r.status, stderr: r.stderr, packages, own };
}

describe('modules loaded at startup', () => {
  test('basis --help loads commander and the command definitions only', () => {
    const r = loadedBy(['--help']);
    expect(r.code).toBe(0);
    expect([...r.packages].sort()).toEqual(['commander']);
    // no engine, config loader, data, strategies, venues, store or server behind the help text
    for (const m of r.own)
      expect(m).not.toMatch(
        /^(engine\/(backtest|setup|live\/runner)|config|data|strategies|venues|results\/(files|report|metrics|summary)|signals|server\/app)/,
      );
  });

  test('a --no-store backtest on simulated venues loads no chain, exchange, server or database code', () => {
    const r = loadedBy(['backtest', '--mode', 'pure_lending_usdt', '--no-store', '--quiet', '--out', 'res']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const p of HEAVY) expect(r.packages.has(p), p).toBe(false);
    expect(r.packages.has('zod')).toBe(true); // the config schemas
    for (const m of r.own)
      expect(m).not.toMatch(/^(venues\/(onchain|cex|feeds)|server\/app|engine\/live\/runner)/);
  });

  test('a backtest saved to the store loads the embedded driver, and only then', () => {
    const r = loadedBy([
      'backtest',
      '--mode',
      'pure_lending_usdt',
      '--quiet',
      '--out',
      'res',
      '--store',
      'store',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.packages.has('@electric-sql')).toBe(true);
    for (const p of ['viem', 'ccxt', 'fastify', 'pg']) expect(r.packages.has(p), p).toBe(false);
  });

  test('basis modes answers from its listing cache while no mode file changed (no schema or YAML loaded)', () => {
    const cfg = join(work, 'cfg-modes');
    cpSync(join(ROOT, 'config'), cfg, { recursive: true });
    const first = loadedBy(['modes', '--config', cfg]);
    expect(first.code).toBe(0);
    expect(first.packages.has('zod')).toBe(true);
    const again = loadedBy(['modes', '--config', cfg]);
    expect(again.code).toBe(0);
    expect([...again.packages].sort()).toEqual(['commander']);
    // a changed mode file is read again: the listing shows its new description
    const f = join(cfg, 'modes/btc_basis.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace(/^description: >-$/m, 'description: >-\n  Changed.'));
    const changed = spawnSync(process.execPath, [BIN, 'modes', '--config', cfg], {
      cwd: work,
      encoding: 'utf8',
    });
    expect(changed.stdout).toMatch(/^btc_basis +USDT +basis +Changed\./m);
    const cachedAgain = loadedBy(['modes', '--config', cfg]);
    expect([...cachedAgain.packages].sort()).toEqual(['commander']);
  });
});
