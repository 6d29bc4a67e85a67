/**
 * ExecutionManager: routes each instruction to the venue its mode maps the instruction's action type to,
 * executes atomic groups all-or-nothing, and runs the tight loop after every execution. Every instruction,
 * fill and failure is logged as an event.
 *
 * One retry policy per instruction: a venue that retries its own failures (`Venue.ownsRetries`, the policy
 * around real exchanges in resilient.ts, which keeps one client order id per instruction) is called once per
 * instruction; any other venue's retryable error is retried here with the mode's policy
 * (`execution.max_retries`, backoff with full jitter: retry.ts).
 */
import type { ModeConfig } from '../config/schema.js';
import { ExecutionError, VenueError } from '../domain/errors.js';
import {
  describeInstruction,
  type ActionType,
  type AtomicGroup,
  type ExecutionItem,
  type Instruction,
  type StrategyDecision,
} from '../domain/types.js';
import type { RunLedger } from '../portfolio/ledger.js';
import type { Fill, GasModel, Venue } from '../venues/types.js';
import { realSleep, retryPolicy, withRetry, type Random, type Sleep } from '../domain/retry.js';

/** The action type an instruction belongs to, which decides the venue it may go to. */
export function actionTypeOf(i: Instruction): ActionType {
  switch (i.op) {
    case 'supply':
    case 'withdraw':
    case 'borrow':
    case 'repay':
      return 'lending';
    case 'stake':
    case 'unstake':
      return 'staking';
    case 'spot_buy':
    case 'spot_sell':
      return 'spot';
    case 'perp_open':
    case 'perp_close':
      return 'hedge';
    case 'transfer':
      return 'wallet_transfer';
    case 'swap':
      return 'dex_swap';
    case 'flash_borrow':
    case 'flash_repay':
      return 'flash_loan';
  }
}

export interface ExecutionReport {
  executed: number;
  failed: number;
  fills: Fill[];
}

export interface RetryClock {
  /** Waits the backoff between retries (default: a timer). */
  sleep?: Sleep;
  /** Jitter of the backoff (default Math.random). */
  random?: Random;
}

export class ExecutionManager {
  constructor(
    private readonly mode: ModeConfig,
    private readonly venues: Map<string, Venue>,
    private readonly ledger: RunLedger,
    private readonly gas: GasModel,
    private readonly transferGasIn: (asset: string) => number,
    private readonly afterEach: () => void,
    private readonly retryClock: RetryClock = {},
  ) {}

  /** Venue for an instruction per the mode's routing; throws ExecutionError on a mismatch. */
  route(i: Instruction): Venue {
    const type = actionTypeOf(i);
    const allowed =
      type === 'hedge'
        ? Object.entries(this.mode.hedge_allocation ?? {})
            .filter(([, w]) => w > 0)
            .map(([v]) => v)
        : type === 'flash_loan'
          ? [this.mode.venues.flash_loan, this.mode.venues.unwind] // entry and unwind lenders
          : [this.mode.venues[type] ?? (type === 'wallet_transfer' ? 'wallet' : undefined)];
    if (!allowed.includes(i.venue)) {
      throw new ExecutionError(
        `instruction "${describeInstruction(i)}" goes to ${i.venue}, but mode ${this.mode.mode} routes ${type} to ${allowed.filter(Boolean).join(', ') || 'no venue'}`,
        describeInstruction(i),
      );
    }
    const v = this.venues.get(i.op === 'transfer' ? i.from : i.venue);
    if (!v)
      throw new ExecutionError(
        `venue ${i.op === 'transfer' ? i.from : i.venue} is not part of this run`,
        describeInstruction(i),
      );
    return v;
  }

  async execute(d: StrategyDecision): Promise<ExecutionReport> {
    const report: ExecutionReport = { executed: 0, failed: 0, fills: [] };
    this.ledger.event('decision', { action: d.action, reason: d.reason, instructions: d.items.length });
    for (const item of d.items) {
      if (isAtomic(item)) await this.executeGroup(item, d, report);
      else {
        try {
          report.fills.push(await this.executeOne(item, d));
          report.executed++;
        } catch (err) {
          report.failed++;
          this.ledger.event('execution_failed', {
            action: d.action,
            instruction: describeInstruction(item),
            error: message(err),
          });
          if (!(err instanceof VenueError)) throw err;
        }
        this.afterEach();
      }
    }
    return report;
  }

  private async executeGroup(g: AtomicGroup, d: StrategyDecision, report: ExecutionReport): Promise<void> {
    const touched = new Set<Venue>();
    for (const i of g.instructions) {
      touched.add(this.route(i));
      if (i.op === 'transfer') touched.add(this.venueOrThrow(i.to, i));
    }
    touched.add(this.venueOrThrow('wallet', g.instructions[0]));
    const checkpoints = [...touched].map((v) => [v, v.checkpoint()] as const);
    const mark = this.ledger.mark();
    const fills: Fill[] = [];
    for (const v of touched) v.beginAtomic?.();
    try {
      for (const i of g.instructions) fills.push(await this.executeOne(i, d));
      // a venue left in a state that must not outlive the group (an unrepaid flash loan) fails it
      for (const v of touched) v.endAtomic?.();
      report.fills.push(...fills);
      report.executed += fills.length;
      this.ledger.event('atomic_group', {
        label: g.label,
        instructions: g.instructions.length,
        status: 'committed',
      });
    } catch (err) {
      for (const [v, c] of checkpoints) v.restore(c);
      this.ledger.rollback(mark);
      report.failed++;
      this.ledger.event('atomic_group', { label: g.label, status: 'reverted', error: message(err) });
      if (!(err instanceof VenueError)) throw err;
    }
    this.afterEach();
  }

  private venueOrThrow(name: string, i: Instruction): Venue {
    const v = this.venues.get(name);
    if (!v) throw new ExecutionError(`venue ${name} is not part of this run`, describeInstruction(i));
    return v;
  }

  private async executeOne(i: Instruction, d: StrategyDecision): Promise<Fill> {
    const venue = this.route(i);
    const once = async () =>
      i.op === 'transfer' ? this.transfer(i, venue) : await venue.execute(i, this.ledger);
    const fill =
      venue.ownsRetries === true
        ? await once()
        : await withRetry(once, retryPolicy(this.mode.execution), {
            sleep: this.retryClock.sleep ?? realSleep,
            random: this.retryClock.random,
            onRetry: (err, attempt, delayMs) =>
              this.ledger.event('retry', {
                instruction: describeInstruction(i),
                attempt,
                delayMs,
                error: err.message,
              }),
          });
    this.ledger.event('fill', { action: d.action, instruction: describeInstruction(i), ...fill });
    return fill;
  }

  /** Moves a token between two venues of the run; the sender pays the transfer's gas in that token. */
  private transfer(i: Extract<Instruction, { op: 'transfer' }>, from: Venue): Fill {
    const to = this.venueOrThrow(i.to, i);
    const gasAsset = this.transferGasIn(i.asset);
    if (!(i.amount > 0)) throw new VenueError(from.name, `transfer amount must be positive, was ${i.amount}`);
    const has = from.balanceOf(i.asset);
    if (has < i.amount + gasAsset - 1e-9) {
      throw new VenueError(
        from.name,
        `insufficient ${i.asset} balance for transfer: has ${has}, needs ${i.amount + gasAsset}`,
      );
    }
    from.debit(i.asset, i.amount + gasAsset);
    to.credit(i.asset, i.amount);
    const gasEth = this.gas.gasEth(i.venue, 'transfer');
    this.ledger.book('gas', i.asset, -gasAsset, from.name);
    return {
      venue: from.name,
      op: 'transfer',
      amount: i.amount,
      price: Number.NaN,
      fee: gasAsset,
      feeAsset: i.asset,
      gasEth,
    };
  }
}

function isAtomic(item: ExecutionItem): item is AtomicGroup {
  return (item as AtomicGroup).atomic === true;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
