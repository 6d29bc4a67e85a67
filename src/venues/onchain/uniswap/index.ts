/**
 * Uniswap V3 DEX venue on chain: single-hop swaps between the wallet's tokens and WETH (ETH in or out is
 * wrapped / unwrapped by the router), on the fee tier that quotes best. Before sending, QuoterV2 quotes the
 * swap exactly; a quote more than `maxSlippage` below the view (the pool as of the last refresh) is refused
 * (the market moved since the decision), and the transaction carries amountOutMinimum = quote ×
 * (1 − maxSlippage), so a move between quote and inclusion reverts it. `maxSlippage` is capped by the venue's
 * `params.max_slippage_bps`.
 * @see https://docs.uniswap.org/contracts/v3/reference/periphery/lens/QuoterV2
 */
import { encodeFunctionData, maxUint256, type Address, type Hex } from 'viem';
import type { DexVenueConfig } from '../../../config/schema.js';
import { VenueError } from '../../../domain/errors.js';
import type { Instruction, PositionKey } from '../../../domain/types.js';
import type { DexVenue, Fill, Ledger } from '../../types.js';
import { OnchainVenue, type OnchainDeps } from '../base.js';
import { toVenueError } from '../chain/errors.js';
import { factoryAbi, FEE_TIERS, poolAbi, quoterV2Abi, swapRouter02Abi, swapRouterAbi } from './abi.js';
import { swapOutInRange, type PoolState } from './math.js';

export interface OnchainUniswapSettings {
  factory: Address;
  quoterV2: Address;
  router: Address;
  /** 'v1': SwapRouter (deadline in the params), '02': SwapRouter02. */
  routerKind: 'v1' | '02';
}

interface PoolRef {
  address: Address;
  fee: number;
  /** The token paired with WETH is token0. */
  tokenIsToken0: boolean;
}

interface DexView {
  pools: Record<string, (PoolState & PoolRef)[]>;
  blockNumber: bigint;
}

const ethLike = (s: string) => s === 'ETH' || s === 'WETH';

export class OnchainUniswap extends OnchainVenue<DexView> implements DexVenue {
  readonly kind = 'dex' as const;
  readonly positionKeys: readonly PositionKey[] = [];
  private readonly maxSlippageCap: number;
  private readonly poolRefs = new Map<string, PoolRef[]>();

  constructor(
    name: string,
    deps: OnchainDeps,
    config: DexVenueConfig,
    readonly settings: OnchainUniswapSettings,
    /** Tokens traded against WETH. */
    readonly tokens: readonly string[],
  ) {
    super(name, deps, { pools: {}, blockNumber: 0n });
    const bps = config.params.max_slippage_bps;
    this.maxSlippageCap = bps === undefined ? 1 : bps / 10_000;
  }

  /** Finds the token/WETH pools of every fee tier (once). */
  async init(): Promise<void> {
    const weth = this.token('WETH').address;
    for (const sym of this.tokens) {
      if (ethLike(sym)) continue;
      const t = this.token(sym).address;
      const refs: PoolRef[] = [];
      for (const fee of FEE_TIERS) {
        let pool: Address;
        try {
          pool = await this.ctx.pub.readContract({
            address: this.settings.factory,
            abi: factoryAbi,
            functionName: 'getPool',
            args: [t, weth, fee],
          });
        } catch (err) {
          throw toVenueError(this.name, `looking up the ${sym}/WETH pools`, err);
        }
        if (!/^0x0{40}$/.test(pool))
          refs.push({ address: pool, fee, tokenIsToken0: BigInt(t) < BigInt(weth) });
      }
      this.poolRefs.set(sym, refs);
    }
  }

  async refresh(): Promise<void> {
    try {
      const blockNumber = await this.ctx.pub.getBlockNumber();
      const pools: DexView['pools'] = {};
      for (const [sym, refs] of this.poolRefs) {
        pools[sym] = await Promise.all(
          refs.map(async (r) => {
            const [slot0, liquidity] = await Promise.all([
              this.ctx.pub.readContract({
                address: r.address,
                abi: poolAbi,
                functionName: 'slot0',
                blockNumber,
              }),
              this.ctx.pub.readContract({
                address: r.address,
                abi: poolAbi,
                functionName: 'liquidity',
                blockNumber,
              }),
            ]);
            return { ...r, sqrtPriceX96: slot0[0], liquidity };
          }),
        );
      }
      this.view = { pools, blockNumber };
    } catch (err) {
      throw toVenueError(this.name, 'refresh', err);
    }
  }

  /** Units of `to` for `amountIn` of `from` at the pools as of the last refresh (best tier, fee included). */
  quote(from: string, to: string, amountIn: number): number {
    if (ethLike(from) && ethLike(to)) return amountIn;
    if (!ethLike(from) && !ethLike(to)) return this.quote('WETH', to, this.quote(from, 'WETH', amountIn));
    const sym = ethLike(from) ? to : from;
    const pools = this.view.pools[sym];
    if (!pools || pools.length === 0 || !this.ctx.tokens.has(sym)) return NaN;
    const dIn = this.token(ethLike(from) ? 'WETH' : sym).decimals;
    const dOut = this.token(ethLike(to) ? 'WETH' : sym).decimals;
    let best = NaN;
    for (const p of pools) {
      // token → WETH is zeroForOne when the token is token0
      const zeroForOne = ethLike(to) ? p.tokenIsToken0 : !p.tokenIsToken0;
      const out = swapOutInRange(p, amountIn * 10 ** dIn, zeroForOne) / 10 ** dOut;
      if (!(best >= out)) best = out;
    }
    return best;
  }

  /**
   * Mid price (units of `to` per `from`, no fee, no impact) of the deepest pool as of the last refresh;
   * NaN without a pool. ETH stands for WETH.
   */
  midPrice(from: string, to: string): number {
    if (ethLike(from) && ethLike(to)) return 1;
    if (!ethLike(from) && !ethLike(to)) return this.midPrice(from, 'WETH') * this.midPrice('WETH', to);
    const sym = ethLike(from) ? to : from;
    const pools = this.view.pools[sym] ?? [];
    if (pools.length === 0) return NaN;
    const p = pools.reduce((a, b) => (b.liquidity > a.liquidity ? b : a));
    const token1PerToken0 = (Number(p.sqrtPriceX96) / 2 ** 96) ** 2;
    const dTok = this.token(sym).decimals;
    const dWeth = this.token('WETH').decimals;
    // WETH per token in token units
    const wethPerToken = p.tokenIsToken0
      ? token1PerToken0 * 10 ** (dTok - dWeth)
      : (1 / token1PerToken0) * 10 ** (dTok - dWeth);
    return ethLike(to) ? wethPerToken : 1 / wethPerToken;
  }

  balanceOf(): number {
    return 0;
  }

  readPositions(): void {}

  credit(asset: string): void {
    throw new VenueError(this.name, `cannot hold ${asset}: swaps settle in the wallet`);
  }

  debit(asset: string): void {
    throw new VenueError(this.name, `cannot send ${asset}: swaps settle in the wallet`);
  }

  async execute(i: Instruction, ledger: Ledger): Promise<Fill> {
    if (i.op !== 'swap') throw new VenueError(this.name, `dex venue does not execute '${i.op}' instructions`);
    if (ethLike(i.from) === ethLike(i.to)) {
      throw new VenueError(
        this.name,
        `swap ${i.from} -> ${i.to}: one side must be ETH or WETH (single-hop pools against WETH)`,
      );
    }
    const amountIn = this.raw(i.from, i.amount);
    if (this.deps.route.active) return this.routed(i);
    const maxSlippage = Math.min(i.maxSlippage, this.maxSlippageCap);
    const sym = ethLike(i.from) ? i.to : i.from;
    const tokenIn = this.token(ethLike(i.from) ? 'WETH' : i.from).address;
    const tokenOut = this.token(ethLike(i.to) ? 'WETH' : i.to).address;
    const refs = this.poolRefs.get(sym) ?? [];
    if (refs.length === 0) throw new VenueError(this.name, `no ${sym}/WETH pool`);
    if (i.from === 'ETH') await this.requireBalance('ETH', amountIn);
    else await this.requireBalance(i.from, amountIn);

    const best = await this.quoteBest(i.from, i.to, amountIn);
    const outUnits = this.units(ethLike(i.to) ? 'WETH' : i.to, best.out);
    const expected = this.quote(i.from, i.to, i.amount);
    if (expected > 0 && outUnits < expected * (1 - maxSlippage)) {
      throw new VenueError(
        this.name,
        `swap ${i.amount} ${i.from} -> ${i.to} refused: quote ${outUnits} is ${((1 - outUnits / expected) * 100).toFixed(3)} % below ${expected} at the last refresh (slippage limit ${(maxSlippage * 100).toFixed(3)} %)`,
        false,
        'slippage_exceeded',
      );
    }
    const minOut = (best.out * BigInt(Math.floor((1 - maxSlippage) * 1e9))) / 1_000_000_000n;

    let gasEth = 0;
    if (i.from !== 'ETH')
      gasEth += await this.ensureAllowance(ledger, i.from, this.settings.router, amountIn);
    const outToken = ethLike(i.to) ? 'WETH' : i.to;
    const before = i.to === 'ETH' ? await this.balanceRaw('ETH') : await this.balanceRaw(outToken);
    const o = await this.send(ledger, 'swap', {
      to: this.settings.router,
      data: this.swapCalldata(
        tokenIn,
        tokenOut,
        best.fee,
        amountIn,
        minOut,
        i.to === 'ETH',
        i.from === 'ETH',
      ),
      value: i.from === 'ETH' ? amountIn : 0n,
      description: `swap ${i.amount} ${i.from} -> ${i.to} (min ${this.units(outToken, minOut)})`,
    });
    gasEth += o.gasEth;
    const after = i.to === 'ETH' ? await this.balanceRaw('ETH') : await this.balanceRaw(outToken);
    // ETH out: the balance change is net of this transaction's gas
    const received = this.units(outToken, after - before) + (i.to === 'ETH' ? o.gasEth : 0);
    await this.afterAction(ledger);
    return this.fill('swap', i.amount, gasEth, received / i.amount, 0, i.to);
  }

  /**
   * The best exact quote over the fee tiers (QuoterV2, now): raw output and the tier. ETH stands for WETH.
   * Throws VenueError when no pool can fill it.
   */
  async quoteBest(from: string, to: string, amountInRaw: bigint): Promise<{ fee: number; out: bigint }> {
    const sym = ethLike(from) ? to : from;
    const tokenIn = this.token(ethLike(from) ? 'WETH' : from).address;
    const tokenOut = this.token(ethLike(to) ? 'WETH' : to).address;
    let best: { fee: number; out: bigint } | null = null;
    for (const r of this.poolRefs.get(sym) ?? []) {
      const out = await this.quoteExact(tokenIn, tokenOut, amountInRaw, r.fee);
      if (out !== null && (!best || out > best.out)) best = { fee: r.fee, out };
    }
    if (!best || best.out === 0n) throw new VenueError(this.name, `no liquidity for ${from} -> ${to}`);
    return best;
  }

  /** QuoterV2's exact output (raw) for a single-hop exact-input swap, or null when the pool cannot fill it. */
  private async quoteExact(
    tokenIn: Address,
    tokenOut: Address,
    amountIn: bigint,
    fee: number,
  ): Promise<bigint | null> {
    try {
      const r = await this.ctx.pub.simulateContract({
        address: this.settings.quoterV2,
        abi: quoterV2Abi,
        functionName: 'quoteExactInputSingle',
        args: [{ tokenIn, tokenOut, amountIn, fee, sqrtPriceLimitX96: 0n }],
      });
      return r.result[0];
    } catch (err) {
      const e = toVenueError(this.name, 'quote', err);
      if (e.retryable) throw e;
      return null;
    }
  }

  private swapCalldata(
    tokenIn: Address,
    tokenOut: Address,
    fee: number,
    amountIn: bigint,
    minOut: bigint,
    unwrap: boolean,
    ethIn: boolean,
  ): Hex {
    const v1 = this.settings.routerKind === 'v1';
    const abi = v1 ? swapRouterAbi : swapRouter02Abi;
    const recipient = unwrap ? this.settings.router : this.user;
    const common = {
      tokenIn,
      tokenOut,
      fee,
      recipient,
      amountIn,
      amountOutMinimum: minOut,
      sqrtPriceLimitX96: 0n,
    };
    const swap = v1
      ? encodeFunctionData({
          abi: swapRouterAbi,
          functionName: 'exactInputSingle',
          args: [{ ...common, deadline: maxUint256 }],
        })
      : encodeFunctionData({ abi: swapRouter02Abi, functionName: 'exactInputSingle', args: [common] });
    const calls: Hex[] = [swap];
    if (unwrap)
      calls.push(encodeFunctionData({ abi, functionName: 'unwrapWETH9', args: [minOut, this.user] }));
    if (ethIn) calls.push(encodeFunctionData({ abi, functionName: 'refundETH' }));
    return calls.length === 1 ? swap : encodeFunctionData({ abi, functionName: 'multicall', args: [calls] });
  }
}
