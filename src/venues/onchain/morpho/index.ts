/**
 * Morpho Blue flash-loan venue on chain (fee 0, mechanics.md §2.1). An EOA cannot hold a flash loan across
 * transactions, so this venue is the entry of the atomic route: `flash_borrow` opens it, the group's stake /
 * supply / borrow (entry) or repay / withdraw / swap (unwind) are recorded by their venues, and
 * `flash_repay` sends them as ONE LeverageExecutor transaction (open or close). A refused or reverted
 * transaction leaves the chain as it was; the venue then throws and the group is rolled back.
 *
 * Supported group shapes (what the staking strategy emits, src/strategies/staking-legs.ts):
 *   entry  flash_borrow WETH F · stake ETH/WETH S (S ≥ F) · supply LST C · borrow WETH B (B ≥ F) · flash_repay
 *   unwind flash_borrow WETH R · repay WETH R · withdraw LST W · swap LST → ETH/WETH W · flash_repay
 * The Instadapp route (flashBorrowAndCast with connector spells) is a documented alternative in
 * config/venues/instadapp.yaml; this executor is the default.
 */
import { maxUint256, type Address } from 'viem';
import type { FlashLoanVenueConfig } from '../../../config/schema.js';
import { ConfigError, VenueError } from '../../../domain/errors.js';
import { positionKey, type Instruction, type PositionKey } from '../../../domain/types.js';
import type { FlashLoanVenue, Fill, Ledger } from '../../types.js';
import type { OnchainAave } from '../aave/index.js';
import { OnchainVenue, type OnchainDeps } from '../base.js';
import { LeverageExecutorClient } from '../executor/leverage.js';
import type { InstructionOf, RouteStep } from '../executor/route.js';
import type { OnchainStaking } from '../staking/index.js';
import type { OnchainUniswap } from '../uniswap/index.js';
import type { OnchainWallet } from '../wallet/index.js';

/** Amounts within this fraction of a whole balance take all of it; collateral may come this much short. */
const TOLERANCE = 1e-6;

export interface RouteVenues {
  aave: OnchainAave;
  /** Staking venues by name: the group's stake names the one used. */
  staking: ReadonlyMap<string, OnchainStaking>;
  dex: OnchainUniswap | null;
  wallet: OnchainWallet;
}

export class OnchainMorpho extends OnchainVenue<Record<string, never>> implements FlashLoanVenue {
  readonly kind = 'flash_loan' as const;
  readonly positionKeys: readonly PositionKey[];
  readonly feeRate: number;
  private venues: RouteVenues | null = null;
  private client: LeverageExecutorClient | null = null;

  constructor(
    name: string,
    deps: OnchainDeps,
    config: FlashLoanVenueConfig,
    readonly morpho: Address,
    readonly executor: Address | null,
  ) {
    super(name, deps, {});
    const bps = config.params.fee_bps;
    if (bps !== 0) {
      throw new ConfigError(
        `config/venues/${config.venue}.yaml`,
        'params.fee_bps',
        `Morpho Blue flash loans are free: expected 0, received ${String(bps)}`,
      );
    }
    this.feeRate = 0;
    const route = config.params.route;
    if (route !== 'executor') {
      throw new ConfigError(
        `config/venues/${config.venue}.yaml`,
        'params.route',
        `the on-chain Morpho client runs flash-loan groups through the executor; received ${String(route)}`,
      );
    }
    this.positionKeys = [positionKey(name, 'debtToken', 'debtWETH')];
  }

  /** The venues the route's transaction acts on (set by the factory). */
  attach(venues: RouteVenues): void {
    this.venues = venues;
    if (this.executor) {
      this.client = new LeverageExecutorClient(
        this.name,
        this.ctx,
        this.executor,
        venues.aave,
        (l, op, r) => this.send(l, op, r),
        () => this.afterAction(),
      );
    }
  }

  get leverage(): LeverageExecutorClient {
    if (!this.client) {
      throw new VenueError(
        this.name,
        'no leverage executor: set leverage_executor_address in the venue block (testnet: from the devnet file)',
      );
    }
    return this.client;
  }

  owed(asset: string): number {
    const f = this.deps.route.flashLoan;
    return f && f.asset === asset ? f.amount : 0;
  }

  readPositions(out: Float64Array, offset: number): void {
    out[offset] = this.owed('WETH');
  }

  balanceOf(): number {
    return 0;
  }

  credit(asset: string): void {
    throw new VenueError(this.name, `cannot hold ${asset}`);
  }

  debit(asset: string): void {
    throw new VenueError(this.name, `cannot send ${asset}`);
  }

  async refresh(): Promise<void> {}

  override restore(checkpoint: unknown): void {
    super.restore(checkpoint);
    this.deps.route.abort();
  }

  endAtomic(): void {
    if (this.deps.route.active) {
      this.deps.route.abort();
      throw new VenueError(this.name, 'flash loan not repaid within its atomic group');
    }
  }

  async execute(i: Instruction, ledger: Ledger): Promise<Fill> {
    if (i.op === 'flash_borrow') {
      if (i.asset !== 'WETH') throw new VenueError(this.name, `flash loans are in WETH, received ${i.asset}`);
      this.raw('WETH', i.amount);
      void this.leverage; // no executor configured: refuse before anything is recorded
      this.deps.route.begin(this.name, { ...i, op: 'flash_borrow' });
      return this.fill('flash_borrow', i.amount, 0, NaN, 0, 'WETH');
    }
    if (i.op === 'flash_repay') {
      const { flash, steps } = this.deps.route.take(this.name);
      const gasEth = await this.sendRoute(flash, steps, ledger);
      return this.fill('flash_repay', i.amount, gasEth, NaN, 0, 'WETH');
    }
    throw new VenueError(this.name, `flash-loan venue does not execute '${i.op}' instructions`);
  }

  private async sendRoute(
    flash: InstructionOf<'flash_borrow'>,
    steps: RouteStep[],
    ledger: Ledger,
  ): Promise<number> {
    const v = this.venues;
    if (!v) throw new VenueError(this.name, 'the atomic route has no venues attached');
    const ops = steps.map((s) => s.instruction.op).join(',');
    let gas: number;
    if (ops === 'stake,supply,borrow') gas = await this.open(flash, steps, v, ledger);
    else if (ops === 'repay,withdraw,swap') gas = await this.close(steps, v, ledger);
    else {
      throw new VenueError(
        this.name,
        `the executor runs flash_borrow · stake · supply · borrow · flash_repay (entry) or flash_borrow · repay · withdraw · swap · flash_repay (unwind); this group has ${ops || 'nothing'} inside the flash loan`,
      );
    }
    await this.afterAction(ledger);
    return gas;
  }

  private async open(
    flash: InstructionOf<'flash_borrow'>,
    steps: RouteStep[],
    v: RouteVenues,
    ledger: Ledger,
  ): Promise<number> {
    const [stake, supply, borrow] = steps.map((s) => s.instruction) as [
      InstructionOf<'stake'>,
      InstructionOf<'supply'>,
      InstructionOf<'borrow'>,
    ];
    const staking = v.staking.get(steps[0].venue);
    if (!staking)
      throw new VenueError(
        this.name,
        `stake goes to ${steps[0].venue}, which is not an on-chain staking venue of this run`,
      );
    const p = staking.protocol;
    if (supply.asset !== p.lst)
      throw new VenueError(this.name, `supply of ${supply.asset}: the executor supplies the staked ${p.lst}`);
    if (borrow.asset !== 'WETH')
      throw new VenueError(this.name, `borrow of ${borrow.asset}: the flash loan is repaid in WETH`);
    const flashWei = this.raw('WETH', flash.amount);
    const borrowWei = this.raw('WETH', borrow.amount);
    if (borrowWei < flashWei)
      throw new VenueError(
        this.name,
        `borrow ${borrow.amount} WETH does not cover the flash loan of ${flash.amount}`,
      );
    const equity = stake.amount - flash.amount;
    if (!(equity >= 0))
      throw new VenueError(
        this.name,
        `stake ${stake.amount} ETH is less than the flash loan ${flash.amount}`,
      );
    const equityWei = equity > 0 ? this.raw('ETH', equity) : 0n;
    let gas = await this.leverage.ensureSetup(ledger, p.lst, borrowWei);
    // the equity is sent as ETH: unwrap WETH for any shortfall
    const eth = await this.balanceRaw('ETH');
    if (eth < equityWei) gas += await v.wallet.unwrap(this.units('ETH', equityWei - eth), ledger);
    const o = await this.leverage.open(ledger, {
      protocol: p,
      flashWei,
      borrowWei,
      equityWei,
      minCollateral: this.raw(p.lst, supply.amount * (1 - TOLERANCE)),
    });
    return gas + o.gasEth;
  }

  private async close(steps: RouteStep[], v: RouteVenues, ledger: Ledger): Promise<number> {
    const [repay, withdraw, swap] = steps.map((s) => s.instruction) as [
      InstructionOf<'repay'>,
      InstructionOf<'withdraw'>,
      InstructionOf<'swap'>,
    ];
    const lst = withdraw.asset;
    if (repay.asset !== 'WETH')
      throw new VenueError(this.name, `repay of ${repay.asset}: the executor repays WETH debt`);
    if (swap.from !== lst || (swap.to !== 'ETH' && swap.to !== 'WETH')) {
      throw new VenueError(
        this.name,
        `the unwind sells the withdrawn ${lst} for WETH; received swap ${swap.from} -> ${swap.to}`,
      );
    }
    if (!v.dex)
      throw new VenueError(this.name, 'the unwind sells on the dex_swap venue, and the mode has none');
    if (v.dex.settings.routerKind !== 'v1') {
      throw new VenueError(
        this.name,
        'the executor sells through Uniswap SwapRouter (v1): configure swap_router_address in the uniswap venue block',
      );
    }
    const debt = v.aave.borrowed('WETH');
    const supplied = v.aave.supplied(lst);
    const repayAll = repay.amount >= debt * (1 - TOLERANCE);
    const withdrawAll = withdraw.amount >= supplied * (1 - TOLERANCE);
    const sellWei = this.raw(lst, withdrawAll ? supplied : withdraw.amount);
    const quote = await v.dex.quoteBest(lst, 'WETH', sellWei);
    const maxSlippage = Math.min(swap.maxSlippage, 1);
    let gas = await this.leverage.ensureSetup(ledger, lst, 0n);
    const o = await this.leverage.close(ledger, {
      lst: this.token(lst).address,
      repayWei: repayAll ? maxUint256 : this.raw('WETH', repay.amount),
      withdrawWei: withdrawAll ? maxUint256 : this.raw(lst, withdraw.amount),
      router: v.dex.settings.router,
      fee: quote.fee,
      minWethOut: (quote.out * BigInt(Math.floor((1 - maxSlippage) * 1e9))) / 1_000_000_000n,
    });
    gas += o.gasEth;
    return gas;
  }
}
