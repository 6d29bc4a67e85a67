/**
 * The runner's local state and its reports: what must survive a crash besides the exchanges' own
 * records (simulated venues, allocation of real accounts, flows), the event log file, and the status
 * file other processes read.
 */
import { appendFileSync } from 'node:fs';
import type { RunParts } from '../setup.js';
import { writeAtomic, type RunPaths } from './control.js';
import { encodeValue } from './journal.js';
import type { LocalState } from './recovery.js';
import type { LiveSession } from './session.js';

export interface Totals {
  deposits: number;
  withdrawals: number;
  pendingDeposit: number;
  pendingWithdrawal: number;
}

export function captureLocal(s: LiveSession, tick: number, totals: Totals): LocalState {
  const parts = s.parts!;
  const simulated: Record<string, unknown> = {};
  for (const v of parts.simulated) simulated[v.name] = v.checkpoint();
  const live: LocalState['live'] = {};
  for (const [name, r] of s.live) live[name] = r.inner.state();
  return {
    tick,
    simulated,
    live,
    totals: { ...totals },
    positions: parts.positions.snapshot(),
  };
}

export function restoreLocal(s: LiveSession, local: LocalState): Totals {
  const parts = s.parts!;
  for (const v of parts.simulated) {
    const c = local.simulated[v.name];
    if (c !== undefined) v.restore(c);
  }
  for (const [name, r] of s.live) {
    const st = local.live[name];
    if (st) r.inner.restoreState(st);
  }
  const t = local.totals as Partial<Totals>;
  return {
    deposits: t.deposits ?? 0,
    withdrawals: t.withdrawals ?? 0,
    pendingDeposit: t.pendingDeposit ?? 0,
    pendingWithdrawal: t.pendingWithdrawal ?? 0,
  };
}

/** Moves the ledger's events to the run's events file (one JSON line each). */
export function drainEvents(parts: RunParts, paths: RunPaths): number {
  const events = parts.ledger.events;
  if (events.length === 0) return 0;
  appendFileSync(paths.events, events.map((e) => JSON.stringify(encodeValue(e))).join('\n') + '\n');
  const n = events.length;
  events.length = 0;
  return n;
}

export interface StatusFacts {
  state: string;
  tick: number;
  timeMs: number;
  totals: Totals;
  lastError: string | null;
  note?: string;
}

export function writeStatus(s: LiveSession, f: StatusFacts): Record<string, unknown> {
  const parts = s.parts;
  const breakers = Object.fromEntries(
    [...s.live].map(([name, r]) => [
      name,
      { breaker: r.breaker.state, stale: r.stale, unresolved: r.unresolved?.id ?? null },
    ]),
  );
  const status = {
    runId: s.header.runId,
    mode: s.header.mode,
    pid: process.pid,
    state: f.state,
    tick: f.tick,
    time: Number.isFinite(f.timeMs) ? new Date(f.timeMs).toISOString() : null,
    updated: new Date(s.clock.now()).toISOString(),
    environments: s.plan
      .describe()
      .map((v) => ({ venue: v.venue, environment: v.environment, client: v.client })),
    equity: parts?.exposure.equity ?? null,
    shareClass: s.resolved.mode.share_class,
    totals: f.totals,
    pnl: parts ? parts.exposure.equity - f.totals.deposits + f.totals.withdrawals : null,
    positions: parts?.positions.snapshot() ?? {},
    venues: breakers,
    lastError: f.lastError,
    ...(f.note ? { note: f.note } : {}),
  };
  writeAtomic(s.paths.status, JSON.stringify(encodeValue(status), null, 2));
  return status;
}
