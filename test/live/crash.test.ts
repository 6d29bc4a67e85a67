/**
 * Acceptance: the runner (a child process running the same LiveRunner as `basis run`) is killed with
 * SIGKILL at a random point — during start-up, between an order's intent and its answer, mid-tick — for
 * 10 seeds, then restarted on the same run. After reconciliation the book is at its targets, no order
 * was placed twice (servers' books), and no journal entry was lost: every order the exchanges hold has
 * its intent in the journal, and the fill the exchange reports is journaled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runPaths, RunControl } from '../../src/engine/live/control.js';
import { FileJournal } from '../../src/engine/live/journal.js';
import { recover } from '../../src/engine/live/recovery.js';
import { seededRandom } from '../../src/domain/retry.js';
import type { OrderRecord, OutcomeRecord, IntentRecord } from '../../src/execution/intents.js';
import { bundle } from './bundle.js';
import { basisBook, FAST_EXECUTION, fundAccounts, liveFixture } from './setup.js';

let BUNDLE = '';
const SEEDS = [11, 23, 37, 41, 53, 67, 79, 83, 97, 101];

beforeAll(async () => {
  // The child runs the TypeScript sources bundled once (dependencies stay in node_modules).
  BUNDLE = await bundle('test/live/crash-child.ts', 'crash-child');
});
afterAll(() => rmSync(BUNDLE, { force: true }));

function start(
  args: object,
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; exit: Promise<number | null>; out: () => string } {
  const child = spawn(process.execPath, [BUNDLE, JSON.stringify(args)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return { child, exit, out: () => out };
}

/** Records in the journal, and how many of them are order intents, with whether the last one is. */
function journalState(path: string): { lines: number; intents: number; lastIsIntent: boolean } {
  if (!existsSync(path)) return { lines: 0, intents: 0, lastIsIntent: false };
  const lines = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'));
  const isIntent = (l: string) => l.includes('"type":"intent"');
  return {
    lines: lines.length,
    intents: lines.filter(isIntent).length,
    lastIsIntent: lines.length > 0 && isIntent(lines[lines.length - 1]),
  };
}

async function crashAndRecover(seed: number, inFlightKill: boolean): Promise<void> {
  const random = seededRandom(seed);
  const f = await liveFixture({ fundingIntervalMs: 2_000 });
  try {
    fundAccounts(f.h, 1_000_000);
    // Answers take a few ms (widens the windows a record-count kill can land in).
    for (const e of Object.values(f.h.exchanges))
      e.server.latencyMs = inFlightKill ? 15 + Math.floor(random() * 15) : 2 + Math.floor(random() * 8);
    const paths = runPaths(f.runsDir, 'crash');
    const args = {
      mode: 'btc_basis',
      preset: 'cex_testnet_onchain_simulated',
      confirmLive: false,
      capital: 100_000,
      tickMs: 100,
      runsDir: f.runsDir,
      runId: 'crash',
      configDir: f.cfg.dir,
      overrides: [...FAST_EXECUTION, 'strategy.position_deviation_threshold=0.005'],
      seed,
    };
    // First life: killed at a random record count (start-up to a few ticks in) or, for every other seed,
    // while a random order is in flight: the exchange holds the answer of the n-th order it receives (after
    // processing it, or before, by seed) and the kill comes once it does — whatever the machine's speed.
    const killAt = 4 + Math.floor(random() * 90);
    const inFlight = inFlightKill ? 1 + Math.floor(random() * 6) : 0;
    const processed = inFlightKill && random() < 0.5;
    let held = false;
    if (inFlight > 0) {
      let orders = 0;
      for (const e of Object.values(f.h.exchanges)) {
        e.server.pick = ({ isOrder }) =>
          isOrder && ++orders === inFlight ? (processed ? 'timeout' : 'timeout_unprocessed') : null;
        e.server.onLostAnswer = () => (held = true);
      }
    }
    const first = start(args, f.env);
    let exited = false;
    void first.exit.then(() => (exited = true));
    // bounded polling on the kill condition: returns as soon as it holds; the deadline only bounds a hang
    const deadline = Date.now() + 60_000;
    let deposited = false;
    for (;;) {
      const j = journalState(paths.journal);
      if (inFlight > 0 ? held : j.lines >= killAt) break;
      if (exited) throw new Error(`seed ${seed}: the runner exited before the kill: ${first.out()}`);
      if (Date.now() > deadline)
        throw new Error(
          `seed ${seed}: no ${inFlight > 0 ? `order ${inFlight} held` : `${killAt} records`} after 60 s`,
        );
      if (!deposited && j.lines > 30) {
        new RunControl(paths).send({ command: 'deposit', amount: 20_000 });
        deposited = true;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    first.child.kill('SIGKILL');
    expect(await first.exit, first.out()).toBeNull();
    // Order intents the journal holds without an outcome at the moment of death: the restart must look
    // each of them up before doing anything else.
    const dead = FileJournal.open(paths.journal);
    const pendingAtDeath = recover(dead.records(), 1).pending.length;
    dead.close();
    for (const e of Object.values(f.h.exchanges)) {
      e.server.pick = null;
      e.server.onLostAnswer = null;
    }
    // Second life: resumes the run (capital is not deposited again), reconciles and trades to target.
    f.h.setPrice('BTCUSDT', 60_000 * (1 + (random() - 0.5) * 0.01), 0.0008);
    const second = start({ ...args, capital: undefined, maxTicks: 6 }, f.env);
    expect(await second.exit, second.out()).toBe(0);

    const journal = FileJournal.open(paths.journal);
    const records = journal.records();
    journal.close();
    const rs = records.find((r) => r.type === 'reconciliation');
    const starts = records.filter((r) => r.type === 'run_start');
    process.stdout.write(
      `seed ${seed}: killed ${inFlight > 0 ? `with order ${inFlight} held (${processed ? 'processed' : 'unprocessed'})` : `at record ${killAt}`}, ${pendingAtDeath} order(s) in flight (${records.indexOf(starts[1])} records before restart), torn bytes ${starts[1]?.truncatedBytes}, pending resolved ${rs?.pendingResolved ?? '-'}, diffs ${JSON.stringify(rs?.diffs ?? null)}\n`,
    );
    expect(records.filter((r) => r.type === 'run_start')).toHaveLength(2);
    if (rs) expect(rs.pendingResolved, `seed ${seed}`).toBe(pendingAtDeath);
    else expect(pendingAtDeath).toBe(0);
    if (records.some((r) => r.type === 'local'))
      expect(records.some((r) => r.type === 'reconciliation')).toBe(true);
    const intents = new Map(
      records
        .filter((r) => r.type === 'intent')
        .map((r) => [(r.intent as IntentRecord).id, r.intent as IntentRecord]),
    );
    const outcomes = new Map<string, OutcomeRecord>();
    for (const r of records.filter((x) => x.type === 'outcome'))
      outcomes.set((r.outcome as OutcomeRecord).id, r.outcome as OutcomeRecord);
    const answers = new Map<string, OrderRecord>();
    for (const r of records.filter((x) => x.type === 'order'))
      answers.set((r.order as OrderRecord).id, r.order as OrderRecord);
    for (const [id] of intents)
      expect(outcomes.get(id)?.status, `intent ${id} has an outcome`).not.toBe('unknown');
    for (const id of intents.keys()) expect(outcomes.has(id), `intent ${id} has an outcome`).toBe(true);

    for (const e of Object.values(f.h.exchanges)) {
      expect(e.book.duplicateOrders(), `${e.venue} seed ${seed}`).toEqual([]);
      expect(e.book.resubmitted(), `${e.venue} seed ${seed}`).toEqual([]);
      for (const o of e.book.orders) {
        expect(intents.has(o.clientId), `${e.venue} order ${o.clientId} journaled before it was sent`).toBe(
          true,
        );
        const a = answers.get(o.clientId)?.report;
        const size = o.market === 'perp' ? e.book.market(o.symbol).contractSize : 1;
        expect(a?.filled ?? Number.NaN, `${e.venue} fill of ${o.clientId} journaled`).toBeCloseTo(
          o.filled * size,
          9,
        );
      }
    }

    const status = JSON.parse(readFileSync(paths.status, 'utf8')) as { equity: number; state: string };
    expect(status.state).toBe('stopped');
    const book = basisBook(f.h, status.equity);
    expect(book.driftUsdt, `hedge and shares, seed ${seed}`).toBeLessThanOrEqual(0.005 * status.equity);
    expect(Math.abs(book.spot / book.q - 1), `size, seed ${seed}`).toBeLessThan(0.01);
  } finally {
    await f.cleanup();
  }
}

describe('crash recovery (SIGKILL)', () => {
  // Three seeds at a time: each has its own exchanges and its own runner process.
  for (let i = 0; i < SEEDS.length; i += 3) {
    const batch = SEEDS.slice(i, i + 3);
    test(`seeds ${batch.join(', ')}: killed at a random point, restarted, reconciled`, async () => {
      await Promise.all(batch.map((seed, k) => crashAndRecover(seed, (i + k) % 2 === 1)));
    });
  }
});
