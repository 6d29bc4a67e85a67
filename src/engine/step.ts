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
 * - a withdrawal beyond the equity of its step, or one the strategy could not fund, is handled by the
 *   step's `unfunded` rule: `fail` (a backtest: the run stops with a clear error and keeps what it
 *   recorded) or `defer` (a wall-clock run: it stays pending and is tried again next tick, since a live
 *   book cannot stop).
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
  /** A withdrawal beyond the step's equity or the cash the strategy freed: `fail` or `defer` (above). */
  unfunded: 'fail' | 'defer';
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
}

/** Runs step `step` (the cursor's row) with `deposit` and `withdrawal` in the share class. */
export async function runStep(
  parts: RunParts,
  step: number,
  flows: { deposit: number; withdrawal: number },
  opts: StepOptions,
): Promise<StepOutcome> {
  const { cursor, ledger, pnl, wallet, ctx, exposure, strategy, execution, simulated } = parts;
  const timeMs = cursor.data.timestampsMs[step];
  const asset = parts.walletAsset;
  cursor.step = step;
  ledger.setTime(timeMs);
  if (opts.beginPnl !== false) pnl.beginStep();
  if (opts.settle) for (let i = 0; i < simulated.length; i++) simulated[i].settle(step, ledger);
  const decided = opts.afterSettle ? await opts.afterSettle() : true;

  if (flows.deposit > 0) {
    wallet.credit(asset, flows.deposit);
    pnl.flow(flows.deposit);
    ledger.event('deposit', { amount: flows.deposit, asset });
  }
  parts.tightLoop();
  opts.beforeDecisions?.();

  const wd = flows.withdrawal;
  if (wd > exposure.equity * (1 + 1e-9)) {
    const problem = `withdrawal of ${wd} ${asset} at ${iso(timeMs)} exceeds the equity then (${exposure.equity})`;
    if (opts.unfunded === 'fail') throw new InputError(problem);
    ledger.event('withdrawal_deferred', { amount: wd, asset, reason: problem });
  }
  ctx.step = step;
  ctx.timeMs = timeMs;
  ctx.pendingWithdrawal = wd;
  let decisions = 0;
  if (decided) {
    if (strategy.beginStep) {
      ctx.equity = exposure.equity;
      strategy.beginStep(ctx);
    }
    for (let pass = 0; pass < MAX_PASSES_PER_STEP; pass++) {
      if (opts.mayDecide && !opts.mayDecide()) break;
      ctx.pass = pass;
      ctx.equity = exposure.equity;
      const d = strategy.decide(ctx);
      if (d === null) break;
      decisions++;
      const report = await execution.execute(d);
      opts.afterExecution?.(d, report);
    }
  }

  let withdrawn = 0;
  if (wd > 0) {
    const has = wallet.balanceOf(asset);
    if (has >= wd * (1 - 1e-9)) {
      wallet.debit(asset, Math.min(wd, has));
      pnl.flow(-wd);
      ledger.event('withdrawal', { amount: wd, asset });
      parts.tightLoop();
      withdrawn = wd;
    } else {
      const problem = `withdrawal of ${wd} ${asset} at ${iso(timeMs)} could not be funded: the strategy freed ${has} (equity ${exposure.equity})`;
      if (opts.unfunded === 'fail') throw new InputError(problem);
      ledger.event('withdrawal_deferred', { amount: wd, asset, reason: problem });
    }
  }
  if (opts.record) parts.record(step, flows.deposit);
  return { decisions, decided, withdrawn };
}
