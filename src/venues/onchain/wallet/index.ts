/**
 * The strategy's own Ethereum account on chain: ETH and token balances (position keys
 * `<name>:BaseToken:<ASSET>`) read by `refresh()`, ERC-20 / ETH transfers to an address, and ETH ⇄ WETH.
 * Balances change only through transactions, so `credit` / `debit` (the simulated bookkeeping of transfers)
 * are refused: a transfer is an `execute({ op: 'transfer', to: <address or named destination> })`.
 */
import { encodeFunctionData, erc20Abi, isAddress, type Address } from 'viem';
import { VenueError } from '../../../domain/errors.js';
import { positionKey, type Instruction, type PositionKey } from '../../../domain/types.js';
import type { Fill, Ledger, WalletVenue } from '../../types.js';
import { OnchainVenue, type OnchainDeps } from '../base.js';
import { toVenueError } from '../chain/errors.js';
import { wethAbi } from './abi.js';

interface WalletView {
  balances: Record<string, number>;
  blockNumber: bigint;
}

export class OnchainWallet extends OnchainVenue<WalletView> implements WalletVenue {
  readonly kind = 'wallet' as const;
  readonly positionKeys: readonly PositionKey[];

  constructor(
    name: string,
    deps: OnchainDeps,
    readonly assets: readonly string[],
    /** Named transfer destinations (e.g. an exchange's deposit address), by venue name. */
    private readonly destinations: Readonly<Record<string, Address>> = {},
  ) {
    super(name, deps, { balances: {}, blockNumber: 0n });
    this.positionKeys = assets.map((a) => positionKey(name, 'BaseToken', a));
  }

  balanceOf(asset: string): number {
    return this.view.balances[asset] ?? 0;
  }

  readPositions(out: Float64Array, offset: number): void {
    this.assets.forEach((a, i) => (out[offset + i] = this.view.balances[a] ?? 0));
  }

  async refresh(): Promise<void> {
    try {
      const blockNumber = await this.ctx.pub.getBlockNumber();
      const values = await Promise.all(
        this.assets.map((a) =>
          a === 'ETH'
            ? this.ctx.pub.getBalance({ address: this.user, blockNumber })
            : this.ctx.pub.readContract({
                address: this.token(a).address,
                abi: erc20Abi,
                functionName: 'balanceOf',
                args: [this.user],
                blockNumber,
              }),
        ),
      );
      const balances: Record<string, number> = {};
      this.assets.forEach((a, i) => (balances[a] = this.units(a, values[i])));
      this.view = { balances, blockNumber };
    } catch (err) {
      throw toVenueError(this.name, 'refresh', err);
    }
  }

  credit(asset: string): void {
    throw new VenueError(
      this.name,
      `on-chain balances change only by transactions: cannot credit ${asset} without one`,
    );
  }

  debit(asset: string): void {
    throw new VenueError(
      this.name,
      `on-chain balances change only by transactions: send ${asset} with a transfer instruction`,
    );
  }

  async execute(i: Instruction, ledger: Ledger): Promise<Fill> {
    if (i.op !== 'transfer')
      throw new VenueError(this.name, `the wallet does not execute '${i.op}' instructions`);
    const to = isAddress(i.to) ? i.to : this.destinations[i.to];
    if (!to) {
      throw new VenueError(
        this.name,
        `transfer to ${i.to}: no address (give a 0x address or configure ${i.to}'s deposit address)`,
      );
    }
    const raw = this.raw(i.asset, i.amount);
    await this.requireBalance(i.asset, raw);
    const o =
      i.asset === 'ETH'
        ? await this.send(ledger, 'transfer', {
            to,
            data: '0x',
            value: raw,
            description: `send ${i.amount} ETH to ${i.to}`,
          })
        : await this.send(ledger, 'transfer', {
            to: this.token(i.asset).address,
            data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, raw] }),
            description: `transfer ${i.amount} ${i.asset} to ${i.to}`,
          });
    await this.afterAction(ledger);
    return this.fill('transfer', i.amount, o.gasEth, NaN, 0, i.asset);
  }

  /** ETH → WETH (WETH9.deposit); returns gas ETH. */
  async wrap(amount: number, ledger: Ledger | null = null): Promise<number> {
    const raw = this.raw('ETH', amount);
    await this.requireBalance('ETH', raw);
    const o = await this.send(ledger, 'wrap', {
      to: this.token('WETH').address,
      data: encodeFunctionData({ abi: wethAbi, functionName: 'deposit' }),
      value: raw,
      description: `wrap ${amount} ETH`,
    });
    await this.afterAction(ledger ?? undefined);
    return o.gasEth;
  }

  /** WETH → ETH (WETH9.withdraw); returns gas ETH. */
  async unwrap(amount: number, ledger: Ledger | null = null): Promise<number> {
    const raw = this.raw('WETH', amount);
    await this.requireBalance('WETH', raw);
    const o = await this.send(ledger, 'wrap', {
      to: this.token('WETH').address,
      data: encodeFunctionData({ abi: wethAbi, functionName: 'withdraw', args: [raw] }),
      description: `unwrap ${amount} WETH`,
    });
    await this.afterAction(ledger ?? undefined);
    return o.gasEth;
  }
}
