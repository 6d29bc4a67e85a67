/**
 * Webhook notifications of a wall-clock run, against a loopback HTTP receiver (node:http on 127.0.0.1):
 * a replay that trades POSTs its fills as `{run_id, mode, type, time, data}`; a receiver answering 500
 * then 200 gets the retried notification once; a receiver that is down neither stops nor fails the run
 * (the failure is journaled once, the URL's secret parts never).
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runPaths } from '../../src/engine/live/control.js';
import { FileJournal } from '../../src/engine/live/journal.js';
import type { Notification, WebhookOptions } from '../../src/engine/live/notify.js';
import { Notifier, parseWebhook, redactUrl } from '../../src/engine/live/notify.js';
import { LiveRunner } from '../../src/engine/live/runner.js';
import { bundle } from './bundle.js';
import { until } from '../helpers/until.js';

const DIR = mkdtempSync(join(tmpdir(), 'basis-notify-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const FROM = Date.UTC(2024, 6, 1);
const TO = Date.UTC(2024, 6, 2);
const MODE = 'pure_lending_usdt';

interface Receiver {
  url: string;
  got: Notification[];
  hits: number;
  auth: string;
  close(): Promise<void>;
}

/** A loopback receiver; `status(n)` is the answer to the n-th request (1-based). */
async function receiver(status: (n: number) => number = () => 200): Promise<Receiver> {
  const r: Receiver = { url: '', got: [], hits: 0, auth: '', close: async () => undefined };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      r.hits++;
      const code = status(r.hits);
      r.auth = req.headers.authorization ?? '';
      if (code === 200) r.got.push(JSON.parse(body) as Notification);
      res.writeHead(code).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  r.url = `http://user:secret@127.0.0.1:${port}/hook?token=s3cr3t`;
  r.close = () => new Promise((ok) => server.close(() => ok()));
  return r;
}

async function replay(runId: string, webhook: WebhookOptions, log: string[] = []) {
  const runner = await LiveRunner.open({
    mode: MODE,
    confirmLive: false,
    tickMs: 3_600_000,
    runsDir: DIR,
    runId,
    processEnv: {},
    replay: { fromMs: FROM, toMs: TO, speed: 0 },
    webhook,
    log: (l) => log.push(l),
  });
  const summary = await runner.run();
  const j = FileJournal.open(runPaths(DIR, runId).journal);
  const records = j.records();
  j.close();
  const events = readFileSync(runPaths(DIR, runId).events, 'utf8');
  return { runner, summary, records, events, log };
}

describe('webhook notifications', () => {
  test('the receiver gets every fill of the run, with its fields', async () => {
    const rx = await receiver();
    try {
      const r = await replay('fills', { url: rx.url, events: ['fill'] });
      expect(r.summary.state).toBe('stopped');
      const fills = r.events
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as { type: string; t: string })
        .filter((e) => e.type === 'fill');
      expect(fills.length).toBeGreaterThan(0);
      await until('every fill', () => rx.got.length >= fills.length);
      expect(rx.got.length).toBe(fills.length);
      for (const [i, n] of rx.got.entries()) {
        expect(n.run_id).toBe('fills');
        expect(n.mode).toBe(MODE);
        expect(n.type).toBe('fill');
        expect(n.time).toBe(fills[i].t);
        const { type: _, t: __, ...data } = fills[i];
        expect(n.data).toEqual(data);
      }
      const w = r.records.find((x) => x.type === 'webhook') as Record<string, unknown>;
      expect(w).toMatchObject({ sent: fills.length, failed: 0, dropped: 0, retries: 0 });
      // the URL's userinfo, path and query are in no log line, journal record or event
      const all = [r.log.join('\n'), JSON.stringify(r.records), r.events].join('\n');
      expect(all).not.toContain('secret');
      expect(all).not.toContain('s3cr3t');
      expect(w.target).toBe(redactUrl(rx.url));
      expect(rx.auth).toBe(`Basic ${Buffer.from('user:secret').toString('base64')}`);
      expect(r.log.join('\n')).toContain(`webhook ${redactUrl(rx.url)}`);
    } finally {
      await rx.close();
    }
  });

  test('500 then 200: the notification is retried and delivered once', async () => {
    const rx = await receiver((n) => (n === 1 ? 500 : 200));
    try {
      const r = await replay('retry', { url: rx.url, events: ['fill'], backoffMs: 10 });
      const fills = r.events.split('\n').filter((l) => l.includes('"type":"fill"')).length;
      await until('every fill', () => rx.got.length >= fills);
      expect(rx.hits).toBe(fills + 1); // one retry
      expect(rx.got.length).toBe(fills);
      expect(new Set(rx.got.map((n) => JSON.stringify(n))).size).toBe(fills); // none twice
      expect(r.records.find((x) => x.type === 'webhook')).toMatchObject({
        sent: fills,
        failed: 0,
        retries: 1,
      });
      expect(r.records.some((x) => x.type === 'webhook_failed')).toBe(false);
    } finally {
      await rx.close();
    }
  });

  test('a receiver that is down neither stops nor fails the run', async () => {
    const rx = await receiver();
    await rx.close(); // nothing listens on its port now
    const r = await replay('down', { url: rx.url, backoffMs: 10, attempts: 2, flushMs: 2000 });
    expect(r.summary.state).toBe('stopped');
    const ticks = r.records.filter((x) => x.type === 'tick_end').length;
    expect(ticks).toBe(r.runner.s.parts!.recorder.length);
    const failed = r.records.filter((x) => x.type === 'webhook_failed');
    expect(failed.length).toBe(1); // journaled once
    expect(String(failed[0].error)).toMatch(/^fill notification not delivered: ECONNREFUSED/);
    const w = r.records.find((x) => x.type === 'webhook') as Record<string, number>;
    expect(w.sent).toBe(0);
    expect(w.failed + w.dropped).toBeGreaterThan(0);
    expect(JSON.stringify(r.records)).not.toContain('s3cr3t');
  });

  test('basis run --replay with the URL from $BASIS_WEBHOOK_URL: notified, the URL redacted in its output', async () => {
    const rx = await receiver();
    const cli = await bundle('test/live/cli-child.ts', 'notify-cli-child');
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, BASIS_WEBHOOK_URL: rx.url };
      delete env.ENVIRONMENT;
      delete env.DATABASE_URL;
      const args = ['run', '--mode', MODE, '--replay', '--from', '2024-07-01', '--to', '2024-07-02'];
      const dirs = ['--runs-dir', join(DIR, 'cli'), '--no-store', '--out', join(DIR, 'results'), '--quiet'];
      const child = spawn(process.execPath, [cli, ...args, ...dirs, '--webhook-events', 'fill'], {
        cwd: DIR,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((ok) => child.once('exit', ok));
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(rx.got.length).toBeGreaterThan(0);
      expect(rx.got.every((n) => n.type === 'fill')).toBe(true);
      expect(stdout).toMatch(
        new RegExp(`webhook http://127\\.0\\.0\\.1:\\d+/…: ${rx.got.length} sent, 0 failed`),
      );
      expect(stdout).not.toContain('secret');
      expect(stdout).not.toContain('s3cr3t');
    } finally {
      rmSync(cli, { force: true });
      await rx.close();
    }
  });

  test('alerts, failures and liquidation-distance warnings (once per crossing) reach the receiver', async () => {
    const rx = await receiver();
    try {
      const failures: string[] = [];
      const n = new Notifier({ url: rx.url, liquidationBelow: 0.2 }, 'r1', 'm1', (w) => failures.push(w));
      const t = '2024-07-01T00:00:00.000Z';
      n.fromEvents([
        { t, type: 'alert', metric: 'health_factor', level: 'warning', previous: 'ok', health_factor: 1.2 },
        { t, type: 'execution_failed', action: 'enter', error: 'binance: insufficient margin' },
        { t, type: 'funding', venue: 'binance', amount: 1 }, // not notified
      ]);
      n.liquidation(t, 0.5, Number.NaN); // far: nothing
      n.liquidation(t, -0.15, Number.NaN); // below 0.2: a warning
      n.liquidation(t, -0.1, Number.NaN); // still below: no second one
      n.liquidation(t, 0.3, Number.NaN); // back above: re-armed
      n.liquidation(t, Number.NaN, 0.05); // the LST distance below: a warning
      const stats = await n.close();
      expect(stats).toEqual({ sent: 4, failed: 0, dropped: 0, retries: 0 });
      expect(failures).toEqual([]);
      expect(rx.got).toEqual([
        {
          run_id: 'r1',
          mode: 'm1',
          type: 'alert',
          time: t,
          data: { metric: 'health_factor', level: 'warning', previous: 'ok', health_factor: 1.2 },
        },
        {
          run_id: 'r1',
          mode: 'm1',
          type: 'failure',
          time: t,
          data: { type: 'execution_failed', action: 'enter', error: 'binance: insufficient margin' },
        },
        {
          run_id: 'r1',
          mode: 'm1',
          type: 'liquidation',
          time: t,
          data: { liq_distance_asset: -0.15, liq_distance_lst: null, threshold: 0.2 },
        },
        {
          run_id: 'r1',
          mode: 'm1',
          type: 'liquidation',
          time: t,
          data: { liq_distance_asset: null, liq_distance_lst: 0.05, threshold: 0.2 },
        },
      ]);
    } finally {
      await rx.close();
    }
  });

  test('URL and event list are validated', () => {
    expect(() => parseWebhook('ftp://x')).toThrow('--webhook must be an http(s) URL, was ftp:');
    expect(() => parseWebhook('http://x', 'fill,trades')).toThrow('--webhook-events: unknown type "trades"');
    expect(parseWebhook('http://x', 'fill, alert').events).toEqual(['fill', 'alert']);
    expect(redactUrl('https://u:p@hooks.example:8443/a/b?k=v')).toBe('https://hooks.example:8443/…');
    expect(redactUrl('http://127.0.0.1:9/')).toBe('http://127.0.0.1:9');
  });
});
