/**
 * The durable wall-clock runner (`basis run`): the backtest's step — settle, tight loop, strategy passes
 * with the execution manager, withdrawals, record — driven by a clock, on a grid filled by live market
 * data, against the venues the environment plan chose. Every intent, order, fill, flow, control command
 * and state transition goes to the journal before and after acting; a restart resolves the intents left
 * without outcome, restores the local state, reconciles the venues' positions against the journal and
 * goes on. The strategy code is the same object a backtest runs: nothing in it knows the environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DataError } from '../../domain/errors.js';
import type { RunEvent } from '../../portfolio/ledger.js';
import type { BacktestRun } from '../backtest.js';
import { decodeValue } from './journal.js';
import { PNL_SOURCES } from '../../domain/types.js';
import { familyOf } from '../../strategies/index.js';
import { runStep } from '../step.js';
import type { ControlMessage } from './control.js';
import { reweigh } from './hedge.js';
import { Notifier } from './notify.js';
import type { LiveRunOptions } from './options.js';
import { reconcile } from './reconcile.js';
import { recorderRow, restoreRecorderRow } from './replay.js';
import { buildParts, connect, openSession, persist, SEED_ROWS, type LiveSession } from './session.js';
import { captureLocal, drainEvents, restoreLocal, writeStatus, type Totals } from './state.js';

export type RunnerState = 'starting' | 'reconciling' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface TickReport {
  tick: number;
  /** Strategy decisions executed. */
  decisions: number;
  /** Every real venue was read and no order outcome is unknown. */
  healthy: boolean;
  /** The tick was skipped (no market data, or a stop was requested). */
  skipped: boolean;
}

export interface RunSummary {
  runId: string;
  ticks: number;
  state: RunnerState;
  status: Record<string, unknown>;
}

export class LiveRunner {
  state: RunnerState = 'starting';
  private tickNo = 0;
  private ticksThisStart = 0;
  private totals: Totals = { deposits: 0, withdrawals: 0, pendingDeposit: 0, pendingWithdrawal: 0 };
  private stopRequested: string | null = null;
  private pnlStarted = false;
  private weights: Record<string, number> = {};
  /** The per-span weights a replay applied last (identity of the schedule's entry). */
  private scheduled: Record<string, number> | null = null;
  private lastError: string | null = null;
  private wake: (() => void) | null = null;
  private readonly openedMs = performance.now();
  private loopStartMs = 0;
  /** The run's webhook target (`--webhook`), null without one. */
  readonly notifier: Notifier | null;

  private constructor(readonly s: LiveSession) {
    const w = s.opts.webhook;
    this.notifier = w
      ? new Notifier(w, s.header.runId, s.header.mode, (what) =>
          s.journal.append({ type: 'webhook_failed', target: this.notifier!.target, error: what }),
        )
      : null;
  }

  /** Validates everything (no network), then connects, restores and reconciles. */
  static async open(opts: LiveRunOptions): Promise<LiveRunner> {
    const s = await openSession(opts);
    const r = new LiveRunner(s);
    try {
      await r.start();
    } catch (err) {
      await r.shutdown('failed', (err as Error).message);
      throw err;
    }
    return r;
  }

  private log(line: string): void {
    this.s.opts.log?.(line);
  }

  private transition(to: RunnerState, why?: string): void {
    this.s.journal.append({ type: 'state', from: this.state, to, ...(why ? { why } : {}) });
    this.state = to;
  }

  private async start(): Promise<void> {
    const s = this.s;
    const rec = s.recovered;
    s.journal.append({
      type: 'run_start',
      header: s.header,
      pid: process.pid,
      start: rec.starts + 1,
      environments: s.plan.describe(),
      truncatedBytes: (s.journal as { truncatedBytes?: number }).truncatedBytes ?? 0,
    });
    this.log(
      `run ${s.header.runId}: mode ${s.header.mode}, ${s.plan
        .describe()
        .map((v) => `${v.venue} ${v.environment}`)
        .join(', ')}${this.notifier ? `; webhook ${this.notifier.target}` : ''}`,
    );
    await connect(s);
    this.tickNo = rec.lastTick;
    this.weights = { ...s.weights };
    this.transition('reconciling');
    if (rec.local) this.totals = restoreLocal(s, rec.local);
    else this.totals.pendingDeposit = s.header.capital;
    const pendingAtStart = rec.pending.length; // resolved (and removed) by the first sync
    const mode = s.resolved.mode;
    const leverage = familyOf(mode.family).perpLeverage?.(mode) ?? 1;
    await persist(this.s, 'configure venues', () =>
      Promise.all([...s.live.values()].map((r) => r.configure(leverage))),
    );
    await persist(this.s, 'resolve pending orders and read the venues', () => this.syncLive(true));
    if (!rec.baselineTaken) {
      for (const [name, r] of s.live) {
        r.inner.adoptBaseline();
        s.journal.append({ type: 'baseline', venue: name, state: r.inner.state() });
      }
      this.snapshot('baseline');
    }
    if (s.replay && rec.local) {
      // a resumed replay keeps the steps it recorded before (journaled with each tick's end)
      for (const r of s.journal.records())
        if (r.type === 'tick_end' && typeof r.step === 'number' && Array.isArray(r.row))
          restoreRecorderRow(s.parts!.recorder, r.step, r.row as number[]);
    }
    if (rec.local) {
      const parts = s.parts!;
      parts.positions.refresh();
      const diffs = reconcile(rec.local.positions, parts.positions.snapshot(), s.live);
      s.journal.append({
        type: 'reconciliation',
        tick: rec.lastTick,
        diffs,
        pendingResolved: pendingAtStart,
      });
      parts.ledger.event('reconciliation', { diffs, pendingResolved: pendingAtStart });
      this.log(
        diffs.length === 0
          ? `reconciled: venues match the journal (${pendingAtStart} pending order(s) resolved)`
          : `reconciled with ${diffs.length} difference(s): ${diffs.map((d) => `${d.key} journal ${d.journal} venue ${d.venue}`).join('; ')}`,
      );
    }
    this.transition('running');
  }

  /**
   * Resolves pending intents, refreshes every real venue and books its funding. Returns false when an
   * order's outcome is still unknown (no decision may be taken on such a view); a venue that only could
   * not be read stays stale — it takes no order this tick and the fallback moves its hedge weight.
   */
  private async syncLive(recovering = false): Promise<boolean> {
    const s = this.s;
    const ledger = s.parts!.ledger;
    const pending = recovering ? s.recovered.pending : [];
    await Promise.all(
      [...s.live].map(async ([name, r]) => {
        try {
          for (const intent of pending.filter((p) => p.venue === name)) {
            await r.resolve(intent, ledger);
            pending.splice(pending.indexOf(intent), 1); // a retried start-up does not look it up twice
          }
          if (r.unresolved) await r.resolve(r.unresolved, ledger);
          await r.refresh();
          r.inner.bookFunding(ledger);
          return true;
        } catch (err) {
          ledger.event('venue_unavailable', { venue: name, error: (err as Error).message });
          this.lastError = `${name}: ${(err as Error).message}`;
          if (recovering) throw err;
          return false;
        }
      }),
    );
    return [...s.live.values()].every((r) => r.unresolved === null);
  }

  /** Journals the local state; synced unless a synced record follows before the next external action. */
  private snapshot(phase: string, sync = true): void {
    this.s.journal.append(
      { type: 'local', phase, state: captureLocal(this.s, this.tickNo, this.totals) },
      { sync },
    );
  }

  /** Applies pending control commands: journaled (with the resulting flows) before they take effect. */
  private controls(): void {
    const { control, recovered, journal } = this.s;
    const { messages, malformed } = control.pending();
    for (const f of malformed) {
      journal.append({ type: 'control', id: f, status: 'rejected', reason: 'malformed command file' });
      control.done(f);
    }
    for (const m of messages as ControlMessage[]) {
      if (recovered.controlIds.has(m.id)) {
        control.done(m.id);
        continue;
      }
      if (m.command === 'deposit') this.totals.pendingDeposit += m.amount;
      else if (m.command === 'withdraw') this.totals.pendingWithdrawal += m.amount;
      else this.stopRequested ??= 'stop command';
      journal.append({ type: 'control', id: m.id, command: m, status: 'accepted' }, { sync: false });
      recovered.controlIds.add(m.id);
      this.snapshot('control');
      control.done(m.id);
      this.log(`control: ${m.command}${'amount' in m ? ` ${m.amount}` : ''}`);
    }
  }

  /** One tick: market row, settle, venue sync, flows, strategy passes, withdrawals, snapshot. */
  async tick(): Promise<TickReport> {
    const s = this.s;
    this.controls();
    if (this.stopRequested) return { tick: this.tickNo, decisions: 0, healthy: true, skipped: true };
    if (s.grid!.full) this.rebuild();
    const now = s.clock.now();
    const t0 = performance.now();
    const ms = { market: 0, venues: 0, decide: 0, total: 0 };
    this.tickNo++;
    s.intentClock.tick = this.tickNo;
    s.intentClock.seq = 0;
    const parts = s.parts!;
    const { ledger, pnl, exposure } = parts;
    let step: number;
    try {
      const r = await s.source!.tick(now);
      step = r.step;
      s.journal.append(
        {
          type: 'market',
          tick: this.tickNo,
          timeMs: now,
          values: r.values,
          feed: s.source!.state(),
          errors: r.errors,
        },
        { sync: false },
      );
      if (r.errors.length > 0) ledger.event('market_data_degraded', { errors: r.errors });
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      this.lastError = err.message;
      s.journal.append({ type: 'market_failed', tick: this.tickNo, error: err.message });
      this.log(`tick ${this.tickNo}: no market data (${err.message})`);
      this.notifier?.notify('failure', new Date(now).toISOString(), {
        type: 'market_failed',
        tick: this.tickNo,
        error: err.message,
      });
      return { tick: this.tickNo, decisions: 0, healthy: false, skipped: true };
    }
    ms.market = performance.now() - t0;
    const dep = this.totals.pendingDeposit;
    const t1 = performance.now();
    // the one step of every environment (src/engine/step.ts), with the wall clock's hooks
    const out = await runStep(parts, step, dep, this.totals.pendingWithdrawal, {
      // every row is settled once, by the runner that appended it (a seeded grid's rows were settled before)
      settle: step > 0,
      beginPnl: this.pnlStarted,
      afterSettle: async () => {
        const healthy = await this.syncLive();
        ms.venues = performance.now() - t1;
        if (!this.pnlStarted) {
          // PnL is measured from here: what settled before the first measurement is in the baseline equity
          parts.ledger.drain(new Float64Array(PNL_SOURCES.length));
          parts.positions.refresh();
          exposure.update(step);
          pnl.start(step);
          pnl.beginStep();
          this.pnlStarted = true;
        }
        return healthy;
      },
      beforeDecisions: () => {
        if (dep > 0) {
          this.totals.deposits += dep;
          this.totals.pendingDeposit = 0;
          this.snapshot('deposit', false);
        }
        this.fallback();
      },
      mayDecide: () => ![...s.live.values()].some((r) => r.unresolved),
      afterExecution: () => this.snapshot('execution', false),
      unfunded: 'defer',
      // a replay records its series as a backtest does (its summary and files at the end)
      record: s.replay !== undefined,
    });
    ms.decide = performance.now() - t1 - ms.venues;
    const healthy = out.decided;
    const decisions = out.decisions;
    if (!healthy)
      ledger.event('decisions_skipped', { reason: 'an order of unknown outcome is not resolved yet' });
    if (out.withdrawn > 0) {
      this.totals.withdrawals += out.withdrawn;
      this.totals.pendingWithdrawal = 0;
    }
    this.snapshot('tick_end', false);
    s.journal.append({
      type: 'tick_end',
      tick: this.tickNo,
      timeMs: now,
      decisions,
      equity: exposure.equity,
      pnl: pnl.stepPnl,
      residual: pnl.stepResidual,
      ms: { ...ms, total: performance.now() - t0 },
      ...(s.replay ? { step, row: recorderRow(parts.recorder, step) } : {}),
    });
    if (this.notifier) {
      this.notifier.fromEvents(parts.ledger.events);
      try {
        // a replay measured it when it recorded the step
        if (!s.replay) parts.risk.measureLiquidationDistance();
        const { liqDistanceAsset, liqDistanceLst } = parts.risk;
        this.notifier.liquidation(new Date(now).toISOString(), liqDistanceAsset, liqDistanceLst);
      } catch (err) {
        this.lastError = `liquidation distance: ${(err as Error).message}`; // a notification never fails a tick
      }
    }
    drainEvents(parts, s.paths);
    this.ticksThisStart++;
    writeStatus(s, {
      state: this.state,
      tick: this.tickNo,
      timeMs: now,
      totals: this.totals,
      lastError: this.lastError,
    });
    this.log(
      `tick ${this.tickNo} ${new Date(now).toISOString()} equity ${exposure.equity.toFixed(2)} ${s.resolved.mode.share_class}, ${decisions} decision(s)${healthy ? '' : ' (order of unknown outcome: no decisions)'}`,
    );
    return { tick: this.tickNo, decisions, healthy, skipped: false };
  }

  /** Re-weights the hedge when a hedge venue is down (breaker open, unreadable, or an unresolved order). */
  private fallback(): void {
    // a replay follows the backtest's per-span hedge weights (hedge_coverage_rule reallocate): the weights
    // in effect at this step, applied when they change (and on the first tick after a resume)
    const at = this.s.replay?.history.weightsAt;
    if (at && at.size > 0) {
      const step = this.s.parts!.cursor.step;
      let w: Record<string, number> | undefined;
      for (const [k, v] of at) if (k <= step) w = v;
      if (w && w !== this.scheduled) {
        this.scheduled = w;
        this.s.parts!.reweigh(w);
        this.weights = w;
        this.s.parts!.ledger.event('hedge_reweight', { weights: w });
      }
      return;
    }
    const next = reweigh(this.s, this.weights, this.tickNo);
    if (next) {
      this.weights = next.weights;
      this.log(`fallback: ${next.note}`);
    }
  }

  /** The grid is full: rebuild the run's parts on a new grid seeded with the latest rows, keeping state. */
  private rebuild(): void {
    const s = this.s;
    const local = captureLocal(s, this.tickNo, this.totals);
    buildParts(s, s.grid!.tail(SEED_ROWS));
    restoreLocal(s, local);
    this.pnlStarted = false;
    this.weights = { ...s.weights };
    s.journal.append({ type: 'grid_rebuilt', tick: this.tickNo, rows: SEED_ROWS });
  }

  /** Ticks until stopped (stop command, signal, `maxTicks`). */
  async run(): Promise<RunSummary> {
    const s = this.s;
    const tickMs = s.opts.tickMs;
    this.loopStartMs = performance.now();
    try {
      while (!this.stopRequested) {
        if (s.source && 'ended' in s.source && s.source.ended) {
          this.stopRequested = 'end of replay';
          break;
        }
        await this.tick();
        if (s.source && 'ended' in s.source && s.source.ended) this.stopRequested ??= 'end of replay';
        if (s.opts.maxTicks !== undefined && this.ticksThisStart >= s.opts.maxTicks)
          this.stopRequested ??= `max ticks ${s.opts.maxTicks}`;
        if (this.stopRequested) break;
        const now = s.clock.now();
        const next = Math.floor(now / tickMs) * tickMs + tickMs;
        await Promise.race([
          s.clock.sleep(next - now),
          new Promise<void>((resolve) => (this.wake = resolve)),
        ]);
        this.wake = null;
      }
      await this.shutdown('stopped', this.stopRequested ?? 'stopped');
    } catch (err) {
      this.lastError = (err as Error).message.split('\n')[0];
      await this.shutdown('failed', (err as Error).message);
      throw err;
    }
    return { runId: s.header.runId, ticks: this.tickNo, state: this.state, status: s.control.status() ?? {} };
  }

  /**
   * A replay that ended (end of the window, stop, max ticks, failure) as a backtest's run: the series
   * recorded over every start, the events of the run's events file, the backtest's facts; null for a run
   * that is not a replay or recorded no step. src/results/run.ts `summariseRun` adds the summary.
   */
  replayRun(): BacktestRun | null {
    const s = this.s;
    const r = s.replay;
    const parts = s.parts;
    if (!r || !parts || parts.recorder.length === 0) return null;
    parts.ledger.flushInterest();
    drainEvents(parts, s.paths);
    const events: RunEvent[] = existsSync(s.paths.events)
      ? readFileSync(s.paths.events, 'utf8')
          .split('\n')
          .filter((l) => l.length > 0)
          .map((l) => decodeValue(JSON.parse(l)) as RunEvent)
      : [];
    parts.ledger.events.push(...events);
    const notes = [
      ...r.history.coverageNotes,
      ...parts.notes,
      ...r.history.derivedNotes,
      ...r.prepared,
      `replay of the recorded history through the wall-clock runner (run ${s.header.runId}, ${this.state}: ${this.stopRequested ?? this.lastError ?? ''})`,
    ];
    if (r.resumedAt > 0)
      notes.push(
        `resumed from the journal at step ${r.resumedAt}: the PnL attribution and the strategy's report cover the steps since then`,
      );
    const now = performance.now();
    return {
      facts: {
        mode: s.resolved.mode,
        initialCapital: s.header.capital,
        notes,
        hedgeWeights: s.weights,
        runtimeMs: now - this.openedMs + r.history.loadMs,
        loadMs: r.history.loadMs,
        loopMs: this.loopStartMs > 0 ? now - this.loopStartMs : 0,
        ...(this.state === 'failed' ? { error: this.lastError ?? 'failed' } : {}),
      },
      recorder: parts.recorder,
      events: parts.ledger.events,
      data: r.history.data,
      parts,
    };
  }

  /** Asks the loop to stop after the current tick (signals, API). */
  requestStop(why: string): void {
    this.stopRequested ??= why;
    this.wake?.();
  }

  private async shutdown(to: 'stopped' | 'failed', why: string): Promise<void> {
    const s = this.s;
    if (this.state === 'stopped' || this.state === 'failed') return;
    try {
      if (this.state === 'running') this.transition('stopping', why);
      if (s.parts) {
        this.notifier?.fromEvents(s.parts.ledger.events);
        drainEvents(s.parts, s.paths);
        writeStatus(s, {
          state: to,
          tick: this.tickNo,
          timeMs: s.clock.now(),
          totals: this.totals,
          lastError: to === 'failed' ? why : this.lastError,
        });
      }
      if (this.notifier) {
        if (to === 'failed')
          this.notifier.notify('failure', new Date(s.clock.now()).toISOString(), {
            type: 'run_failed',
            error: why.split('\n')[0],
          });
        const stats = await this.notifier.close();
        s.journal.append({ type: 'webhook', target: this.notifier.target, ...stats });
        this.log(
          `webhook ${this.notifier.target}: ${stats.sent} sent, ${stats.failed} failed, ${stats.dropped} dropped, ${stats.retries} retries`,
        );
      }
      this.transition(to, why);
      this.log(`run ${s.header.runId} ${to}: ${why}`);
    } finally {
      await s.clients.close();
      s.release();
    }
  }
}
