/**
 * Simulated liquid-staking issuer (ether.fi: ETH → eETH → weETH; Lido: ETH → stETH → wstETH).
 *
 * - Exchange rate: ETH per LST = the Aave oracle series `oracle.{LST}.eth` (it moves in steps at the
 *   protocol's oracle reports; staking yield is its growth, valued by the Pricer, not booked here).
 * - `stake` mints at that rate: `amount` ETH → amount / rate LST into the wallet; the ETH comes from the
 *   wallet's ETH first (`asset` ETH) or WETH first (`asset` WETH), the rest from the other form, and any
 *   WETH is unwrapped at the wallet's `wrap` gas. Gas: the venue's `stake` and (when configured) `wrap` units (deposit, then wrap the
 *   rebasing token). Refused below `params.min_stake_eth`.
 * - `unstake` requests a withdrawal: the LST leaves the wallet, amount × rate ETH (fixed at the request, no
 *   yield while queued) waits `params.unstake_delay_hours` and is then credited to the wallet at settlement.
 *   Gas: the `unstake` units (request and claim). The queue is reported as `{venue}:BaseToken:ETH`.
 * - Rewards (ether.fi): each distribution period accrues, hour by hour, `perEeth × eETH held × hour / period
 *   length` where eETH held = `rewardBase()` LST × rate (wallet and lending collateral); at the payment time
 *   the tokens are credited to the wallet and booked as `rewards`. A payment waits for the first step at
 *   which the token can be held and priced (`payable`). Rewards accrued but not yet paid are not equity.
 * - `params.route` / `params.exit_route` (mint | dex, queue | dex) are read by strategies: a `dex` route
 *   trades on the mode's DEX venue instead of this one.
 */
import type { StakingVenueConfig } from '../../config/schema.js';
import type { RewardPeriod } from '../../data/rewards.js';
import { DataError, VenueError } from '../../domain/errors.js';
import { HOUR_MS, positionKey } from '../../domain/types.js';
import type { Instruction, PositionKey } from '../../domain/types.js';
import type { Fill, Ledger, SimulatedVenue, StakingVenue, VenueCheckpoint } from '../types.js';
import type { MarketCursor } from '../../data/cursor.js';
import { assertCanPay, chargeGas, splitEth, type GasOp } from './onchain.js';
import type { SimulatedWallet } from './wallet.js';

export interface SimulatedStakingOptions {
  /** Reward distributions to holders (ether.fi); none for other issuers. */
  rewards?: readonly RewardPeriod[];
  /** LST units earning distributions, read at settlement (wallet + lending collateral). */
  rewardBase?: () => number;
  /** Whether the wallet can receive and value `token` now; a payment waits until it can. */
  payable?: (token: string) => boolean;
}

interface StakingCheckpoint {
  dueMs: number[];
  eth: number[];
  accrued: Float64Array;
  paid: Uint8Array;
  lastStep: number;
}

export class SimulatedStaking implements StakingVenue, SimulatedVenue {
  readonly kind = 'staking' as const;
  readonly positionKeys: readonly PositionKey[];
  readonly lst: string;
  readonly route: 'mint' | 'dex';
  readonly exitRoute: 'queue' | 'dex';
  readonly unstakeDelayHours: number;
  readonly minStakeEth: number;
  private readonly rateSeries: Float64Array;
  private readonly rateId: string;
  private readonly wrapOp: GasOp[];
  /** Withdrawal queue: due time and ETH of each request, in request order. */
  private dueMs: number[] = [];
  private eth: number[] = [];
  private readonly periods: readonly RewardPeriod[];
  private readonly accrued: Float64Array;
  private readonly paid: Uint8Array;
  private lastStep: number;

  constructor(
    readonly name: string,
    config: StakingVenueConfig,
    private readonly cursor: MarketCursor,
    private readonly wallet: SimulatedWallet,
    private readonly opts: SimulatedStakingOptions = {},
  ) {
    const p = config.params;
    this.lst = p.lst_symbol;
    this.route = p.route;
    this.exitRoute = p.exit_route;
    this.unstakeDelayHours = p.unstake_delay_hours;
    this.minStakeEth = p.min_stake_eth;
    this.rateId = `oracle.${this.lst}.eth`;
    this.rateSeries = cursor.series(this.rateId);
    this.wrapOp = config.gas_units.wrap !== undefined ? [{ venue: name, op: 'wrap' }] : [];
    this.positionKeys = [positionKey(name, 'BaseToken', 'ETH')];
    const { startMs } = cursor.data;
    const endMs = cursor.data.timestampsMs[cursor.data.length - 1];
    this.periods = (opts.rewards ?? []).filter((r) => r.endMs > startMs && r.startMs < endMs);
    this.accrued = new Float64Array(this.periods.length);
    this.paid = new Uint8Array(this.periods.length);
    this.lastStep = cursor.step;
  }

  // ---- reads -------------------------------------------------------------------------------------------

  rate(step = this.cursor.step): number {
    const r = this.rateSeries[step];
    if (!(r > 0)) {
      const at = new Date(this.cursor.data.timestampsMs[step]).toISOString();
      throw new DataError(`${this.name}: series ${this.rateId} has no value at ${at}`, this.rateId);
    }
    return r;
  }

  queuedEth(): number {
    let s = 0;
    for (let i = 0; i < this.eth.length; i++) s += this.eth[i];
    return s;
  }

  /** Rewards accrued and not yet paid, by token (for reports and tests). */
  pendingRewards(): Record<string, number> {
    const out: Record<string, number> = {};
    this.periods.forEach((p, i) => {
      if (!this.paid[i]) out[p.token] = (out[p.token] ?? 0) + this.accrued[i];
    });
    return out;
  }

  readPositions(out: Float64Array, offset: number): void {
    out[offset] = this.eth.length === 0 ? 0 : this.queuedEth();
  }

  /** The issuer holds no free tokens: LST and ETH sit in the wallet. */
  balanceOf(): number {
    return 0;
  }

  credit(asset: string): void {
    throw new VenueError(this.name, `cannot hold ${asset}: tokens stay in the wallet`);
  }

  debit(asset: string): void {
    throw new VenueError(this.name, `cannot send ${asset}: the withdrawal queue pays the wallet when due`);
  }

  // ---- actions -----------------------------------------------------------------------------------------

  async execute(instruction: Instruction, ledger: Ledger): Promise<Fill> {
    if (instruction.op === 'stake') return this.stake(instruction.asset, instruction.amount, ledger);
    if (instruction.op === 'unstake') return this.unstake(instruction.asset, instruction.amount, ledger);
    throw new VenueError(this.name, `staking venue does not execute '${instruction.op}' instructions`);
  }

  private stake(asset: string, amount: number, ledger: Ledger): Fill {
    if (asset !== 'ETH' && asset !== 'WETH')
      throw new VenueError(this.name, `stake takes ETH or WETH, not ${asset}`);
    positive(this.name, 'stake', amount);
    if (amount < this.minStakeEth)
      throw new VenueError(
        this.name,
        `stake of ${amount} ETH is below the minimum of ${this.minStakeEth} ETH`,
      );
    const r = this.rate();
    // the protocol takes ETH: the executor unwraps whatever part comes as WETH
    const split = splitEth(this.name, this.wallet, asset, amount);
    const ops: GasOp[] = [{ venue: this.name, op: 'stake' }, ...this.wrapOp];
    if (split.WETH > 0) ops.push({ venue: this.wallet.name, op: 'wrap' });
    const gasAsset = this.wallet.gasAsset;
    assertCanPay(
      this.name,
      this.wallet,
      gasAsset === 'ETH' ? 'ETH' : null,
      gasAsset === 'ETH' ? split.ETH : 0,
      ops,
    );
    const gasEth = chargeGas(this.wallet, ledger, ops);
    if (split.ETH > 0) this.wallet.debit('ETH', split.ETH);
    if (split.WETH > 0) this.wallet.debit('WETH', split.WETH);
    const minted = amount / r;
    this.wallet.credit(this.lst, minted);
    return { venue: this.name, op: 'stake', amount, price: r, fee: 0, feeAsset: this.lst, gasEth };
  }

  private unstake(asset: string, amount: number, ledger: Ledger): Fill {
    if (asset !== this.lst) throw new VenueError(this.name, `unstake takes ${this.lst}, not ${asset}`);
    positive(this.name, 'unstake', amount);
    const r = this.rate();
    const ops: GasOp[] = [{ venue: this.name, op: 'unstake' }];
    assertCanPay(this.name, this.wallet, asset, amount, ops);
    const gasEth = chargeGas(this.wallet, ledger, ops);
    this.wallet.debit(asset, amount);
    const due = this.cursor.timeMs + this.unstakeDelayHours * HOUR_MS;
    this.dueMs.push(due);
    this.eth.push(amount * r);
    ledger.event('unstake_requested', {
      venue: this.name,
      lst: asset,
      amount,
      eth: amount * r,
      claimable: new Date(due).toISOString(),
    });
    return { venue: this.name, op: 'unstake', amount, price: r, fee: 0, feeAsset: asset, gasEth };
  }

  // ---- clock -------------------------------------------------------------------------------------------

  settle(step: number, ledger: Ledger): void {
    const now = this.cursor.data.timestampsMs[step];
    if (this.dueMs.length > 0 && this.dueMs[0] <= now) this.claim(now, ledger);
    if (this.periods.length > 0) {
      for (let s = this.lastStep + 1; s <= step; s++) this.accrue(s);
      this.pay(now, ledger);
    }
    this.lastStep = step;
  }

  private claim(now: number, ledger: Ledger): void {
    let k = 0;
    while (k < this.dueMs.length && this.dueMs[k] <= now) {
      this.wallet.credit('ETH', this.eth[k]);
      ledger.event('unstake_claimed', { venue: this.name, eth: this.eth[k] });
      k++;
    }
    this.dueMs.splice(0, k);
    this.eth.splice(0, k);
  }

  /** Accrues the hour that ends at step `s` with the holdings of the step before. */
  private accrue(s: number): void {
    const base = this.opts.rewardBase;
    if (!base) return;
    const t = this.cursor.data.timestampsMs[s];
    const held = base();
    if (!(held > 0)) return;
    const eeth = held * this.rate(s - 1);
    for (let i = 0; i < this.periods.length; i++) {
      const p = this.periods[i];
      if (t - HOUR_MS >= p.startMs && t <= p.endMs)
        this.accrued[i] += (eeth * p.perEeth * HOUR_MS) / (p.endMs - p.startMs);
    }
  }

  private pay(now: number, ledger: Ledger): void {
    for (let i = 0; i < this.periods.length; i++) {
      const p = this.periods[i];
      if (this.paid[i] || p.payMs > now) continue;
      const amount = this.accrued[i];
      if (amount > 0) {
        if (this.opts.payable && !this.opts.payable(p.token)) continue;
        this.wallet.credit(p.token, amount);
        ledger.book('rewards', p.token, amount, this.name);
        ledger.event('reward', {
          venue: this.name,
          token: p.token,
          amount,
          period: `${iso(p.startMs)}..${iso(p.endMs - HOUR_MS * 24)}`,
          source: p.source,
        });
      }
      this.paid[i] = 1;
    }
  }

  checkpoint(): VenueCheckpoint {
    return {
      dueMs: [...this.dueMs],
      eth: [...this.eth],
      accrued: this.accrued.slice(),
      paid: this.paid.slice(),
      lastStep: this.lastStep,
    } satisfies StakingCheckpoint;
  }

  restore(checkpoint: VenueCheckpoint): void {
    const c = checkpoint as StakingCheckpoint;
    this.dueMs = [...c.dueMs];
    this.eth = [...c.eth];
    this.accrued.set(c.accrued);
    this.paid.set(c.paid);
    this.lastStep = c.lastStep;
  }
}

function positive(venue: string, op: string, amount: number): void {
  if (!(amount > 0) || !Number.isFinite(amount))
    throw new VenueError(venue, `${op} amount must be > 0, was ${amount}`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
