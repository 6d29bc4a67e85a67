/**
 * One store for the CLI and the server at once: while `basis serve` holds the embedded store, `basis
 * backtest` (compiled, via bin/basis.js) saves through the server's API while an API run computes, and
 * both are there in full (every step and event the CLI wrote to its files); `runs list|show` read through
 * it; the import endpoint wants the session's local token. Also: results folders of variants, the
 * ambiguous-prefix error.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { waitForRun } from '../server/helpers.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/basis.js');
const work = mkdtempSync(join(tmpdir(), 'basis-shared-store-'));
const env: NodeJS.ProcessEnv = { ...process.env, BASIS_DATA_DIR: '' };
delete env.DATABASE_URL;
delete env.BASIS_STORE_DIR;
delete env.BASIS_API_TOKEN;

function basis(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: work, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let server: ChildProcess;
let url = '';

beforeAll(async () => {
  server = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { cwd: work, env });
  url = await new Promise<string>((res, rej) => {
    let buf = '';
    server.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(buf);
      if (m && buf.includes('results store:')) res(m[1]);
    });
    server.on('exit', (code) => rej(new Error(`serve exited ${code}`)));
  });
});
afterAll(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((res) => server.once('exit', res));
  }
  rmSync(work, { recursive: true, force: true });
});

describe('the CLI through a running server', () => {
  const cliIds: string[] = [];

  test('a CLI backtest while an API run computes: both saved in full', async () => {
    const launched = await fetch(`${url}/api/backtests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: 'eth_basis', start: '2024-02-01', end: '2024-06-30' }),
    });
    const apiId = ((await launched.json()) as any).id as string;
    const r = basis([
      'backtest',
      '--mode',
      'btc_basis',
      '--start',
      '2024-03-01',
      '--end',
      '2024-03-20',
      '--set',
      'strategy.perp_leverage=2',
      '--quiet',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((await waitForRun(url, apiId)).status).toBe('done');
    const list = (await (await fetch(`${url}/api/backtests`)).json()) as any;
    const cli = list.runs.filter((x: any) => x.source === 'cli');
    expect(cli).toHaveLength(1);
    cliIds.push(cli[0].id);
    expect(list.runs.map((x: any) => x.id).sort()).toEqual([apiId, cli[0].id].sort());
    expect(cli[0].overrides).toEqual(['strategy.perp_leverage=2']);
    // what the CLI wrote to its files is what the server's store holds
    const [folder] = readdirSync(join(work, 'results'));
    expect(folder).toMatch(/^btc_basis-2024-03-01-2024-03-20-[0-9a-f]{8}$/);
    const dir = join(work, 'results', folder);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n');
    const rows = readFileSync(join(dir, 'series.csv'), 'utf8').trim().split('\n');
    const stored = (await (await fetch(`${url}/api/backtests/${cli[0].id}/summary`)).json()) as any;
    expect(stored.final_equity).toBe(summary.final_equity);
    const events = (await (await fetch(`${url}/api/backtests/${cli[0].id}/events?limit=1`)).json()) as any;
    expect(events.total).toBe(lines.length);
    const series = (await (
      await fetch(`${url}/api/backtests/${cli[0].id}/series?names=equity&points=2`)
    ).json()) as any;
    expect(series.total_steps).toBe(rows.length - 1);
    // events never carry "NaN": the files neither
    expect(lines.some((l) => l.includes('"NaN"'))).toBe(false);
  });

  test('the mode as configured writes its folder without a hash, beside the variant’s', () => {
    const again = basis([
      'backtest',
      '--mode',
      'btc_basis',
      '--start',
      '2024-03-01',
      '--end',
      '2024-03-05',
      '--quiet',
    ]);
    expect(again.code).toBe(0);
    expect(readdirSync(join(work, 'results')).sort()).toEqual([
      'btc_basis-2024-03-01-2024-03-05',
      expect.stringMatching(/^btc_basis-2024-03-01-2024-03-20-[0-9a-f]{8}$/),
    ]);
    const list = JSON.parse(basis(['runs', 'list', '--json']).stdout);
    expect(list.total).toBe(3);
    cliIds.push(list.runs.find((x: any) => x.source === 'cli' && x.end.startsWith('2024-03-05')).id);
  });

  test('runs show: an ambiguous prefix lists its matches', () => {
    const prefix = cliIds[0].slice(0, 4);
    const r = basis(['runs', 'show', prefix]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^basis: run prefix "${prefix}" is ambiguous: 3 runs match \\(`));
    for (const id of cliIds) expect(r.stderr).toContain(id);
    const show = basis(['runs', 'show', cliIds[0], '--json']);
    expect(JSON.parse(show.stdout).request.overrides).toEqual(['strategy.perp_leverage=2']);
  });

  test('the import endpoint wants the local token; the token file is the owner’s only', async () => {
    const info = join(work, '.basis', 'store.server.json');
    expect(statSync(info).mode & 0o077).toBe(0);
    const tries: Record<string, string>[] = [{}, { 'x-basis-local-token': 'wrong-token-wrong-token' }];
    for (const headers of tries) {
      const r = await fetch(`${url}/api/backtests/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      });
      expect(r.status).toBe(401);
    }
  });
});
