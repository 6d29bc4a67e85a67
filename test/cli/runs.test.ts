/**
 * The results store from the command line (compiled, via bin/basis.js): `basis backtest` saves the run,
 * `basis runs list|show|delete`, `basis report`, and `basis serve` refusing unsafe or bad options.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/basis.js');
const work = mkdtempSync(join(tmpdir(), 'basis-cli-runs-'));

function basis(args: string[], env: Record<string, string | undefined> = {}) {
  const e: Record<string, string | undefined> = {
    ...process.env,
    BASIS_DATA_DIR: undefined,
    DATABASE_URL: undefined,
    BASIS_STORE_DIR: undefined,
    BASIS_API_TOKEN: undefined,
    ...env,
  };
  for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: work,
    env: e as NodeJS.ProcessEnv,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('runs in the store from the CLI', () => {
  let id = '';
  test('backtest saves the run; list and show find it', () => {
    const r = basis([
      'backtest',
      '--mode',
      'btc_basis',
      '--start',
      '2024-03-01',
      '--end',
      '2024-03-15',
      '--json',
      'out/b.json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    id = /run: +(\d{8}-\d{6}-[0-9a-f]{6}) \(results store (.*?);/.exec(r.stdout)![1];
    expect(existsSync(join(work, '.basis/store'))).toBe(true);
    const summary = JSON.parse(readFileSync(join(work, 'out/b.json'), 'utf8'));
    const list = basis(['runs', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(`${id} +done +btc_basis +2024-03-01\\.\\.2024-03-15 +100000 .*SYNTHETIC +cli`),
    );
    const show = basis(['runs', 'show', id.slice(0, 17), '--json']);
    expect(show.code).toBe(0);
    const rec = JSON.parse(show.stdout);
    expect(rec.summary.final_equity).toBe(summary.final_equity);
    expect(rec.request).toEqual({
      mode: 'btc_basis',
      start: '2024-03-01T00:00:00.000Z',
      end: '2024-03-15T00:00:00.000Z',
      capital: 100000,
      deposits: [],
      withdrawals: [],
      overrides: [],
    });
    expect(basis(['runs', 'show', id]).stdout).toMatch(/total return \(time-weighted\)/);
  });

  test('--no-store leaves the store untouched', () => {
    const r = basis([
      'backtest',
      '--mode',
      'pure_lending_usdt',
      '--start',
      '2024-03-01',
      '--end',
      '2024-03-03',
      '--no-store',
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(basis(['runs', 'list', '--json']).stdout).total).toBe(1);
  });

  test('report writes one self-contained file', () => {
    const r = basis(['report', id, '-o', 'reports/r.html']);
    expect(r.code).toBe(0);
    const html = readFileSync(join(work, 'reports/r.html'), 'utf8');
    expect(html).toContain(`data-run="${id}"`);
  });

  test('delete removes it; unknown ids are one clear line', () => {
    expect(basis(['runs', 'delete', id]).stdout).toBe(`deleted ${id}\n`);
    const show = basis(['runs', 'show', id]);
    expect(show.code).toBe(1);
    expect(show.stderr.trim().split('\n')).toHaveLength(1);
    expect(show.stderr).toMatch(/^basis: no run "\d{8}-\d{6}-[0-9a-f]{6}" in the results store/);
    expect(basis(['runs', 'list', '--limit', '0']).stderr).toMatch(
      /--limit must be an integer from 1 to 500/,
    );
  });
});

describe('basis serve', () => {
  test('refuses to listen beyond loopback without a token, and bad options', () => {
    const r = basis(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^basis: listening on 0\.0\.0\.0 exposes the API .*set BASIS_API_TOKEN/);
    expect(basis(['serve', '--port', '70000']).stderr).toMatch(/--port must be an integer from 0 to 65535/);
    expect(basis(['serve', '--data', join(work, 'none'), '--port', '0']).stderr).toMatch(
      /data directory .*none does not exist/,
    );
  });

  test('serves the UI and the API; a CLI backtest meanwhile is saved through it; a lock of no server refuses', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], {
      cwd: work,
      env: { ...process.env, BASIS_DATA_DIR: '' },
    });
    try {
      const url = await new Promise<string>((res, rej) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const m = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(buf);
          if (m && buf.includes('results store:')) res(m[1]);
        });
        child.on('exit', (code) => rej(new Error(`serve exited ${code}`)));
      });
      expect((await fetch(`${url}/`)).headers.get('content-type')).toMatch(/text\/html/);
      const health = (await (await fetch(`${url}/api/health`)).json()) as { store: { kind: string } };
      expect(health.store.kind).toBe('embedded');
      const r = basis(['backtest', '--mode', 'btc_basis', '--start', '2024-03-01', '--end', '2024-03-02']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const id =
        /run: +(\d{8}-\d{6}-[0-9a-f]{6}) \(results store .*through the running `basis serve` at /.exec(
          r.stdout,
        )![1];
      const run = (await (await fetch(`${url}/api/backtests/${id}`)).json()) as {
        status: string;
        source: string;
      };
      expect([run.status, run.source]).toEqual(['done', 'cli']);
      expect(basis(['runs', 'list']).stdout).toMatch(new RegExp(`${id} +done +btc_basis`));
    } finally {
      child.kill('SIGTERM');
      await new Promise((res) => child.once('exit', res));
    }
    // a store locked by a live process that is no server: refused as before
    const other = join(work, 'other-store');
    writeFileSync(`${other}.lock`, String(process.pid));
    const busy = basis([
      'backtest',
      '--mode',
      'btc_basis',
      '--start',
      '2024-03-01',
      '--end',
      '2024-03-02',
      '--store',
      other,
    ]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(
      /^basis: embedded store .* is in use by process \d+ \(a running `basis serve`\? its UI and API show the runs\); stop it/,
    );
  });
});
