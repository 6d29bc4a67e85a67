/**
 * THE step of a run, the one every environment uses: the backtest's loop (src/engine/backtest.ts), the
 * wall-clock runner (src/engine/live/runner.ts) and every test that needs a tick. No other file
 * implements a step.
 *
 *   settle → (environment hook) → deposit → tight loop → decide/execute rounds → withdrawal → tight loop → record
 *
 * Defined once here:
 * - the pass limit (MAX_PASSES_PER_STEP decision rounds per step) and the decide/execute protocol (the
 *   strategy's beginStep, then decide → execute until it returns null, a hook may stop the rounds);
 * - a withdrawal the strategy could not fund is handled by the step's `unfunded` rule: `fail` (the run
 *   stops with a clear error and keeps what it recorded) or `defer` (it stays pending and the caller tries
 *   it again next step: a wall-clock run, since a live book cannot stop, and a backtest for a bounded
 *   time); a withdrawal beyond the equity of its step by `beyondEquity` (default: the `unfunded` rule).
 */
import { InputError } from '../domain/errors.js';
import type { StrategyDecision } from '../domain/types.js';
import type { ExecutionReport } from '../execution/manager.js';
import type { RunParts } from './setup.js';
import { iso } from './time.js';

/** Strategy decision passes allowed per step: reduce → realise perp PnL (up to twice) → move cash → increase, and a second funding plan for a withdrawal. */
export const MAX_PASSES_PER_STEP = 10;

export interface StepOptions {
  /** Settle the simulated venues' accruals into this step (false for the first step of a run). */
  settle: boolean;
  /** Open the step's PnL measurement (false before a wall-clock run has its baseline). */
  beginPnl?: boolean;
  /**
   * After settling, before the flows: a wall-clock run reads its live venues here. Returns false when no
   * decision may be taken this step (an order of unknown outcome).
   */
  afterSettle?: () => Promise<boolean> | boolean;
  /** After the deposit's tight loop, before the decisions (a wall-clock run's venue fallback). */
  beforeDecisions?: () => void;
  /** Before each decision round: false stops the rounds. */
  mayDecide?: () => boolean;
  /** After each executed decision, with what the execution manager reported. */
  afterExecution?: (decision: StrategyDecision, report: ExecutionReport) => void;
  /** A withdrawal beyond the cash the strategy freed: `fail` or `defer` (above). */
  unfunded: 'fail' | 'defer';
  /** A withdrawal beyond the step's equity: `fail` or `defer`; default `unfunded`. */
  beyondEquity?: 'fail' | 'defer';
  /** Record the step into the run's recorder (the backtest's series). */
  record: boolean;
}

export interface StepOutcome {
  /** Decisions executed. */
  decisions: number;
  /** False when the environment hook ruled out decisions this step. */
  decided: boolean;
  /** The withdrawal paid this step (0 when none, or deferred). */
  withdrawn: number;
  /** Why the withdrawal was deferred (one line), when it was. */
  deferred?: string;
}

/**
 * Runs step `step` (the cursor's row) with `deposit` and `withdrawal` in the share class. Synchronous until
 * something must be awaited (an environment hook, a decision to execute): most steps of a backtest decide
 * nothing and return the outcome itself, the others a promise of it.
 */
export function runStep(
  parts: RunParts,
  step: number,
  deposit: number,
  withdrawal: number,
  opts: StepOptions,
): StepOutcome | Promise<StepOutcome> {
  const { cursor, ledger, pnl, simulated } = parts;
  cursor.step = step;
  ledger.setTime(cursor.data.timestampsMs[step]);
  if (opts.beginPnl !== false) pnl.beginStep();
  if (opts.settle) for (let i = 0; i < simulated.length; i++) simulated[i].settle(step, ledger);
  if (opts.afterSettle) {
    const hook = opts.afterSettle;
    return (async () => afterSettle(parts, step, deposit, withdrawal, opts, await hook()))();
  }
  return afterSettle(parts, step, deposit, withdrawal, opts, true);
}

function afterSettle(
  parts: RunParts,
  step: number,
  deposit: number,
  wd: number,
  opts: StepOptions,
  decided: boolean,
): StepOutcome | Promise<StepOutcome> {
  const { ledger, pnl, wallet, ctx, exposure, strategy } = parts;
  const asset = parts.walletAsset;
  const timeMs = parts.cursor.data.timestampsMs[step];
  if (deposit > 0) {
    wallet.credit(asset, deposit);
    pnl.flow(deposit);
    ledger.event('deposit', { amount: deposit, asset });
  }
  parts.tightLoop();
  opts.beforeDecisions?.();

  if (wd > exposure.equity * (1 + 1e-9)) {
    const problem = `withdrawal of ${wd} ${asset} at ${iso(timeMs)} exceeds the equity then (${exposure.equity})`;
    if ((opts.beyondEquity ?? opts.unfunded) === 'fail') throw new InputError(problem);
    ledger.event('withdrawal_deferred', { amount: wd, asset, reason: problem });
  }
  ctx.step = step;
  ctx.timeMs = timeMs;
  ctx.pendingWithdrawal = wd;
  if (!decided) return finish(parts, step, deposit, wd, opts, 0, false);
  if (strategy.beginStep) {
    ctx.equity = exposure.equity;
    strategy.beginStep(ctx);
  }
  const first = decide(parts, opts, 0);
  if (first === null) return finish(parts, step, deposit, wd, opts, 0, true);
  return rounds(parts, step, deposit, wd, opts, first);
}

/** The strategy's decision for round `pass`, or null when it has none (or a hook stops the rounds). */
function decide(parts: RunParts, opts: StepOptions, pass: number): StrategyDecision | null {
  if (pass >= MAX_PASSES_PER_STEP || (opts.mayDecide && !opts.mayDecide())) return null;
  const { ctx, exposure } = parts;
  ctx.pass = pass;
  ctx.equity = exposure.equity;
  return parts.strategy.decide(ctx);
}

/** Executes `first` and the rounds after it. */
async function rounds(
  parts: RunParts,
  step: number,
  deposit: number,
  wd: number,
  opts: StepOptions,
  first: StrategyDecision,
): Promise<StepOutcome> {
  let decisions = 0;
  for (let d: StrategyDecision | null = first; d !== null; d = decide(parts, opts, decisions)) {
    decisions++;
    const report = await parts.execution.execute(d);
    opts.afterExecution?.(d, report);
  }
  return finish(parts, step, deposit, wd, opts, decisions, true);
}

/** The withdrawal (paid, or failed / deferred by the `unfunded` rule) and the record. */
function finish(
  parts: RunParts,
  step: number,
  deposit: number,
  wd: number,
  opts: StepOptions,
  decisions: number,
  decided: boolean,
): StepOutcome {
  const { wallet, pnl, ledger, exposure } = parts;
  const asset = parts.walletAsset;
  let withdrawn = 0;
  let deferred: string | undefined;
  if (wd > 0) {
    const has = wallet.balanceOf(asset);
    if (has >= wd * (1 - 1e-9)) {
      wallet.debit(asset, Math.min(wd, has));
      pnl.flow(-wd);
      ledger.event('withdrawal', { amount: wd, asset });
      parts.tightLoop();
      withdrawn = wd;
    } else {
      const at = iso(parts.cursor.data.timestampsMs[step]);
      const problem = `withdrawal of ${wd} ${asset} at ${at} could not be funded: the strategy freed ${has} (equity ${exposure.equity})`;
      if (opts.unfunded === 'fail') throw new InputError(problem);
      ledger.event('withdrawal_deferred', { amount: wd, asset, reason: problem });
      deferred = problem;
    }
  }
  if (opts.record) parts.record(step, deposit);
  return deferred === undefined
    ? { decisions, decided, withdrawn }
    : { decisions, decided, withdrawn, deferred };
}
