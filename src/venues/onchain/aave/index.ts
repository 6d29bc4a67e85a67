/**
 * Aave V3 lending venue on chain (viem): supply, withdraw, borrow (variable rate), repay and e-mode for the
 * wallet's own account, and the account view from Pool.getUserAccountData (collateral, debt, LTV, health
 * factor, borrow capacity, liquidation threshold). Reads are the view of the last `refresh()`; each action
 * refreshes after its receipt. Inside a flash-loan group the actions are recorded in the atomic route and
 * sent as one executor transaction.
 *
 * e-mode: `setEmode(enabled)` is synchronous in the LendingVenue contract, so on chain it is applied
 * (Pool.setUserEMode) before this venue's next action or by `applyEmode()`; `emodeCategory` reads the chain.
 * @see https://aave.com/docs/aave-v3/smart-contracts/pool
 */
import { encodeFunctionData, maxUint256, parseEventLogs, type Address } from 'viem';
import type { LendingVenueConfig } from '../../../config/schema.js';
import { VenueError } from '../../../domain/errors.js';
import { positionKey, type Instruction, type PositionKey } from '../../../domain/types.js';
import type { Fill, LendingAccountView, LendingVenue, Ledger } from '../../types.js';
import { OnchainVenue, type OnchainDeps } from '../base.js';
import { toVenueError } from '../chain/errors.js';
import { wethAbi } from '../wallet/abi.js';
import { BASE_DECIMALS, poolAbi, RAY, VARIABLE_RATE } from './abi.js';
import { readAccount, readReserve } from './read.js';

/** A withdraw or repay within this fraction of the whole balance takes all of it (uint256 max). */
const FULL_TOLERANCE = 1e-6;

interface ReserveTokens {
  aToken: Address;
  variableDebtToken: Address;
}

interface AaveView {
  supplied: Record<string, number>;
  borrowed: Record<string, number>;
  scaledSupply: Record<string, bigint>;
  scaledDebt: Record<string, bigint>;
  liquidityIndex: Record<string, bigint>;
  borrowIndex: Record<string, bigint>;
  priceUsd: Record<string, number>;
  account: LendingAccountView;
  emodeCategory: number;
  blockNumber: bigint;
}

export interface OnchainAaveSettings {
  pool: Address;
  oracle: Address;
}

const EMPTY_ACCOUNT: LendingAccountView = {
  collateralUsd: 0,
  debtUsd: 0,
  ltv: 0,
  healthFactor: Infinity,
  availableBorrowsUsd: 0,
  liquidationThreshold: 0,
};

export class OnchainAave extends OnchainVenue<AaveView> implements LendingVenue {
  readonly kind = 'lending' as const;
  readonly positionKeys: readonly PositionKey[];
  private readonly reserves = new Map<string, ReserveTokens>();
  private pendingEmode: boolean | null = null;

  constructor(
    name: string,
    deps: OnchainDeps,
    readonly config: LendingVenueConfig,
    readonly settings: OnchainAaveSettings,
    readonly assets: readonly string[],
  ) {
    super(name, deps, {
      supplied: {},
      borrowed: {},
      scaledSupply: {},
      scaledDebt: {},
      liquidityIndex: {},
      borrowIndex: {},
      priceUsd: {},
      account: { ...EMPTY_ACCOUNT },
      emodeCategory: 0,
      blockNumber: 0n,
    });
    this.positionKeys = assets.flatMap((a) => [
      positionKey(name, 'aToken', `a${a}`),
      positionKey(name, 'debtToken', `debt${a}`),
    ]);
  }

  /** Reads each reserve's aToken and variable debt token (once, before the first refresh). */
  async init(): Promise<void> {
    for (const a of this.assets) {
      const asset = this.token(a).address;
      let d;
      try {
        d = await this.ctx.pub.readContract({
          address: this.settings.pool,
          abi: poolAbi,
          functionName: 'getReserveData',
          args: [asset],
        });
      } catch (err) {
        throw toVenueError(this.name, `reading reserve ${a}`, err);
      }
      if (/^0x0{40}$/.test(d.aTokenAddress))
        throw new VenueError(this.name, `${a} (${asset}) is not a reserve of pool ${this.settings.pool}`);
      this.reserves.set(a, { aToken: d.aTokenAddress, variableDebtToken: d.variableDebtTokenAddress });
    }
  }

  reserveTokens(asset: string): ReserveTokens {
    const r = this.reserves.get(asset);
    if (!r)
      throw new VenueError(this.name, `reserve ${asset} is not tracked (assets: ${this.assets.join(', ')})`);
    return r;
  }

  // ---- reads -------------------------------------------------------------------------------------------

  supplied(asset: string): number {
    this.reserveTokens(asset);
    return this.view.supplied[asset] ?? 0;
  }

  borrowed(asset: string): number {
    this.reserveTokens(asset);
    return this.view.borrowed[asset] ?? 0;
  }

  account(): LendingAccountView {
    return { ...this.view.account };
  }

  /** e-mode category the account is in on chain (0 = none), as of the last refresh. */
  get emodeCategory(): number {
    return this.view.emodeCategory;
  }

  /** Oracle price in USD as of the last refresh. */
  priceUsd(asset: string): number {
    return this.view.priceUsd[asset] ?? NaN;
  }

  /** Liquidity / variable borrow index (ray) as of the last refresh. */
  indexes(asset: string): { liquidityIndexRay: bigint; borrowIndexRay: bigint } {
    return {
      liquidityIndexRay: this.view.liquidityIndex[asset] ?? 0n,
      borrowIndexRay: this.view.borrowIndex[asset] ?? 0n,
    };
  }

  /** Block the view was read at. */
  get blockNumber(): bigint {
    return this.view.blockNumber;
  }

  readPositions(out: Float64Array, offset: number): void {
    this.assets.forEach((a, i) => {
      out[offset + 2 * i] = this.view.supplied[a] ?? 0;
      out[offset + 2 * i + 1] = this.view.borrowed[a] ?? 0;
    });
  }

  /** Aave holds no free tokens of the wallet: transfers go through the wallet. */
  balanceOf(): number {
    return 0;
  }

  credit(asset: string): void {
    throw new VenueError(this.name, `cannot hold ${asset}: supply it from the wallet instead`);
  }

  debit(asset: string): void {
    throw new VenueError(this.name, `cannot send ${asset}: withdraw it to the wallet instead`);
  }

  /**
   * Reads balances, indexes, prices and the account at the latest block. With a ledger, interest since the
   * previous refresh is booked like the simulator does: scaled balance × index change.
   */
  async refresh(ledger?: Ledger): Promise<void> {
    const c = this.ctx.pub;
    const { pool, oracle } = this.settings;
    try {
      const blockNumber = await c.getBlockNumber();
      const next: AaveView = { ...structuredClone(this.view), blockNumber };
      const acct = await readAccount(c, blockNumber, pool, this.user);
      await Promise.all(
        this.assets.map(async (a) => {
          const where = { pool, oracle, asset: this.token(a).address, ...this.reserveTokens(a) };
          const r = await readReserve(c, blockNumber, where, this.user);
          if (ledger && this.view.liquidityIndex[a] !== undefined) {
            // interest since the last view: scaled balance × index change (like the simulator's settle)
            const dl = this.view.scaledSupply[a] * (r.liquidityIndex - this.view.liquidityIndex[a]);
            const db = this.view.scaledDebt[a] * (r.borrowIndex - this.view.borrowIndex[a]);
            if (dl !== 0n) ledger.book('supply_yield', a, this.units(a, dl / RAY), this.name);
            if (db !== 0n) ledger.book('borrow_cost', a, -this.units(a, db / RAY), this.name);
          }
          next.supplied[a] = this.units(a, r.supplied);
          next.borrowed[a] = this.units(a, r.debt);
          next.scaledSupply[a] = r.scaledSupply;
          next.scaledDebt[a] = r.scaledDebt;
          next.liquidityIndex[a] = r.liquidityIndex;
          next.borrowIndex[a] = r.borrowIndex;
          next.priceUsd[a] = Number(r.price) / 10 ** BASE_DECIMALS;
        }),
      );
      const [coll, debt, avail, lt, , hf] = acct.data;
      const collateralUsd = Number(coll) / 10 ** BASE_DECIMALS;
      const debtUsd = Number(debt) / 10 ** BASE_DECIMALS;
      next.account = {
        collateralUsd,
        debtUsd,
        ltv: collateralUsd > 0 ? debtUsd / collateralUsd : 0,
        healthFactor: hf === maxUint256 ? Infinity : Number(hf) / 1e18,
        availableBorrowsUsd: Number(avail) / 10 ** BASE_DECIMALS,
        liquidationThreshold: Number(lt) / 10_000,
      };
      next.emodeCategory = Number(acct.emode);
      this.view = next;
    } catch (err) {
      throw toVenueError(this.name, 'refresh', err);
    }
  }

  // ---- actions -----------------------------------------------------------------------------------------

  setEmode(enabled: boolean): void {
    if (enabled && !this.config.emode) throw new VenueError(this.name, 'no e-mode category is configured');
    this.pendingEmode = enabled;
  }

  /** Sends Pool.setUserEMode when the requested e-mode differs from the chain's; returns gas ETH. */
  async applyEmode(ledger: Ledger | null = null): Promise<number> {
    if (this.pendingEmode === null) return 0;
    const want = this.pendingEmode ? this.config.emode!.category_id : 0;
    this.pendingEmode = null;
    const current = await this.ctx.pub.readContract({
      address: this.settings.pool,
      abi: poolAbi,
      functionName: 'getUserEMode',
      args: [this.user],
    });
    if (Number(current) === want) return 0;
    const o = await this.send(ledger, 'set_emode', {
      to: this.settings.pool,
      data: encodeFunctionData({ abi: poolAbi, functionName: 'setUserEMode', args: [want] }),
      description: `set e-mode category ${want}`,
    });
    await this.afterAction(ledger ?? undefined);
    return o.gasEth;
  }

  async execute(i: Instruction, ledger: Ledger): Promise<Fill> {
    if (i.op !== 'supply' && i.op !== 'withdraw' && i.op !== 'borrow' && i.op !== 'repay') {
      throw new VenueError(this.name, `lending venue does not execute '${i.op}' instructions`);
    }
    this.reserveTokens(i.asset);
    const amount = this.raw(i.asset, i.amount);
    if (this.deps.route.active) return this.routed(i);
    let gasEth = await this.applyEmode(ledger);
    const asset = this.token(i.asset).address;
    const pool = this.settings.pool;
    const user = this.user;
    const before =
      i.op === 'supply' || i.op === 'withdraw'
        ? (this.view.supplied[i.asset] ?? 0)
        : (this.view.borrowed[i.asset] ?? 0);
    let data;
    let full = false;
    switch (i.op) {
      case 'supply':
        gasEth += await this.fund(ledger, i.asset, amount);
        gasEth += await this.ensureAllowance(ledger, i.asset, pool, amount);
        data = encodeFunctionData({ abi: poolAbi, functionName: 'supply', args: [asset, amount, user, 0] });
        break;
      case 'withdraw': {
        full = i.amount >= before * (1 - FULL_TOLERANCE);
        if (i.amount > before * (1 + FULL_TOLERANCE)) {
          throw new VenueError(
            this.name,
            `withdraw ${i.amount} ${i.asset} exceeds supplied ${before}`,
            false,
            'insufficient_balance',
          );
        }
        data = encodeFunctionData({
          abi: poolAbi,
          functionName: 'withdraw',
          args: [asset, full ? maxUint256 : amount, user],
        });
        break;
      }
      case 'borrow':
        data = encodeFunctionData({
          abi: poolAbi,
          functionName: 'borrow',
          args: [asset, amount, VARIABLE_RATE, 0, user],
        });
        break;
      case 'repay': {
        full = i.amount >= before * (1 - FULL_TOLERANCE);
        // the debt grows every second: a full repay offers a little more than the view (Aave takes only the
        // debt at the block), capped at what the wallet holds
        let need = amount;
        if (full) {
          const held = await this.balanceRaw(i.asset);
          const margin = this.raw(i.asset, before * (1 + FULL_TOLERANCE));
          need = held < margin && held >= amount ? held : margin;
        }
        gasEth += await this.fund(ledger, i.asset, need);
        gasEth += await this.ensureAllowance(ledger, i.asset, pool, need);
        data = encodeFunctionData({
          abi: poolAbi,
          functionName: 'repay',
          args: [asset, need, VARIABLE_RATE, user],
        });
        break;
      }
    }
    const o = await this.send(ledger, i.op, {
      to: pool,
      data,
      description: `${i.op} ${i.amount} ${i.asset}`,
    });
    gasEth += o.gasEth;
    await this.afterAction(ledger);
    // a full withdraw / repay moves the whole balance at the block, interest since the last view included
    let amountDone = i.amount;
    if (full) {
      const events = parseEventLogs({
        abi: poolAbi,
        logs: o.logs,
        eventName: i.op === 'withdraw' ? 'Withdraw' : 'Repay',
      });
      const ev = events.find((e) => e.args.reserve.toLowerCase() === asset.toLowerCase());
      if (ev) amountDone = this.units(i.asset, ev.args.amount);
    }
    return this.fill(i.op, amountDone, gasEth);
  }

  /**
   * Makes sure the wallet holds `need` of `symbol`; for WETH the shortfall is wrapped from ETH (the WETH
   * gateway behaviour of the simulated pool). Returns gas ETH.
   */
  private async fund(ledger: Ledger | null, symbol: string, need: bigint): Promise<number> {
    const has = await this.balanceRaw(symbol);
    if (has >= need) return 0;
    if (symbol === 'WETH') {
      const eth = await this.balanceRaw('ETH');
      const short = need - has;
      if (eth > short) {
        const o = await this.send(ledger, 'wrap', {
          to: this.token('WETH').address,
          data: encodeFunctionData({ abi: wethAbi, functionName: 'deposit' }),
          value: short,
          description: `wrap ${this.units('WETH', short)} ETH`,
        });
        return o.gasEth;
      }
    }
    await this.requireBalance(symbol, need);
    return 0;
  }
}
