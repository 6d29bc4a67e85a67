/**
 * What every on-chain venue shares: the run's chain context (public client, journalled sender, token
 * registry), the atomic route, conversions at the chain boundary, gas booking from receipts, allowances,
 * and a view that `refresh()` fills and `checkpoint()` / `restore()` copy (the chain itself is only changed
 * by transactions, and a refused or reverted one changes nothing).
 */
import { encodeFunctionData, erc20Abi, maxUint256, type Address } from 'viem';
import { VenueError } from '../../domain/errors.js';
import type { Instruction } from '../../domain/types.js';
import type { Fill, Ledger } from '../types.js';
import type { ChainContext, TokenInfo } from './chain/context.js';
import type { TxOutcome, TxRequest } from './chain/sender.js';
import { fromBaseUnits, toBaseUnits } from './chain/units.js';
import type { AtomicRoute } from './executor/route.js';

export interface OnchainDeps {
  ctx: ChainContext;
  route: AtomicRoute;
  /**
   * Refreshes every on-chain venue of the run: a transaction of one venue moves balances others report
   * (a borrow credits the wallet), so each action ends with it. Set by the factory.
   */
  refreshAll?: (ledger?: Ledger) => Promise<void>;
}

export abstract class OnchainVenue<View extends object> {
  protected view: View;

  constructor(
    readonly name: string,
    protected readonly deps: OnchainDeps,
    initial: View,
  ) {
    this.view = initial;
  }

  get ctx(): ChainContext {
    return this.deps.ctx;
  }

  /** The wallet's address: the account every action of this venue is for. */
  get user(): Address {
    return this.deps.ctx.address;
  }

  checkpoint(): unknown {
    return structuredClone(this.view);
  }

  restore(checkpoint: unknown): void {
    this.view = structuredClone(checkpoint) as View;
  }

  token(symbol: string): TokenInfo {
    const t = this.ctx.tokens.get(symbol);
    if (t.decimals < 0)
      throw new VenueError(this.name, `token ${symbol}: decimals not loaded (refresh first)`);
    return t;
  }

  /** Token units → base units of `symbol`. */
  raw(symbol: string, amount: number): bigint {
    if (!(amount > 0) || !Number.isFinite(amount)) {
      throw new VenueError(this.name, `amount must be a positive number, received ${amount}`);
    }
    return toBaseUnits(amount, this.token(symbol).decimals);
  }

  units(symbol: string, raw: bigint): number {
    return fromBaseUnits(raw, this.token(symbol).decimals);
  }

  /** Sends through the run's sender; books the gas (ETH) on the ledger and logs the transaction. */
  protected async send(ledger: Ledger | null, op: string, req: TxRequest): Promise<TxOutcome> {
    const o = await this.ctx.sender.send(this.name, req);
    if (ledger) {
      ledger.book('gas', 'ETH', -o.gasEth, this.name, op);
      ledger.event('transaction', {
        venue: this.name,
        op,
        description: req.description,
        hash: o.hash,
        block: Number(o.blockNumber),
        gasUsed: Number(o.gasUsed),
        gasEth: o.gasEth,
        resumed: o.resumed,
      });
    }
    return o;
  }

  /** Approves `spender` for `symbol` when the allowance is below `amount` (max approval); returns gas ETH. */
  protected async ensureAllowance(
    ledger: Ledger | null,
    symbol: string,
    spender: Address,
    amount: bigint,
  ): Promise<number> {
    const t = this.token(symbol);
    let allowance: bigint;
    try {
      allowance = await this.ctx.pub.readContract({
        address: t.address,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [this.user, spender],
      });
    } catch (err) {
      throw new VenueError(
        this.name,
        `reading the ${symbol} allowance: ${(err as Error).message.split('\n')[0]}`,
        true,
        'rpc_unavailable',
      );
    }
    if (allowance >= amount) return 0;
    const o = await this.send(ledger, 'approve', {
      to: t.address,
      data: encodeApprove(spender),
      description: `approve ${symbol} for ${spender}`,
    });
    return o.gasEth;
  }

  /** The wallet's balance of a token (base units), read now. */
  protected async balanceRaw(symbol: string): Promise<bigint> {
    const t = this.token(symbol);
    if (symbol === 'ETH') return this.ctx.pub.getBalance({ address: this.user });
    return this.ctx.pub.readContract({
      address: t.address,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [this.user],
    });
  }

  /** Refuses an amount the wallet does not hold, before anything is sent. */
  protected async requireBalance(symbol: string, need: bigint): Promise<void> {
    const has = await this.balanceRaw(symbol);
    if (has < need) {
      throw new VenueError(
        this.name,
        `insufficient ${symbol} balance: has ${this.units(symbol, has)}, needs ${this.units(symbol, need)}`,
        false,
        'insufficient_balance',
      );
    }
  }

  protected fill(
    op: Instruction['op'],
    amount: number,
    gasEth: number,
    price = NaN,
    fee = 0,
    feeAsset = 'ETH',
  ): Fill {
    return { venue: this.name, op, amount, price, fee, feeAsset, gasEth };
  }

  /** After a transaction: every venue's view (all of the run's, else this one) reads the new block. */
  protected async afterAction(ledger?: Ledger): Promise<void> {
    if (this.deps.refreshAll) await this.deps.refreshAll(ledger);
    else await (this as unknown as { refresh(l?: Ledger): Promise<void> }).refresh(ledger);
  }

  /** Provisional fill of an instruction recorded in the atomic route (sent with the route's transaction). */
  protected routed(i: Instruction): Fill {
    this.deps.route.add(this.name, i);
    const amount = 'amount' in i ? i.amount : NaN;
    return this.fill(i.op, amount, 0);
  }
}

function encodeApprove(spender: Address) {
  return encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [spender, maxUint256] });
}
