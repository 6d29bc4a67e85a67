/**
 * Helpers shared by the simulated on-chain venues that move tokens through the wallet (staking, flash
 * loans, DEX): ETH ⇄ WETH as one asset (WETH9 wraps 1:1; a conversion costs the wallet's `wrap` gas), and
 * gas of several operations validated together before any is charged.
 */
import { VenueError } from '../../domain/errors.js';
import type { Ledger } from '../types.js';
import type { SimulatedWallet } from './wallet.js';

/** An operation whose gas units are configured at `venue` (venue config `gas_units`). */
export interface GasOp {
  venue: string;
  op: string;
}

export function isEthLike(asset: string): boolean {
  return asset === 'ETH' || asset === 'WETH';
}

/**
 * Splits a debit of `amount` ETH-like units between the wallet's `prefer` form and the other one (the
 * executor unwraps or wraps the rest in one call). Throws VenueError when both together fall short.
 */
export function splitEth(
  venue: string,
  wallet: SimulatedWallet,
  prefer: 'ETH' | 'WETH',
  amount: number,
): { ETH: number; WETH: number } {
  const other = prefer === 'ETH' ? 'WETH' : 'ETH';
  const a = Math.min(amount, wallet.balanceOf(prefer));
  let b = amount - a;
  if (b > 0 && wallet.canDebit(prefer, amount)) b = 0; // floating-point dust
  if (b > 0 && !wallet.canDebit(other, b))
    throw new VenueError(
      venue,
      `insufficient ETH + WETH in the wallet: has ${wallet.balanceOf('ETH')} ETH + ${wallet.balanceOf('WETH')} WETH, needs ${amount}`,
    );
  return prefer === 'ETH' ? { ETH: b > 0 ? a : amount, WETH: b } : { WETH: b > 0 ? a : amount, ETH: b };
}

/** Total gas of `ops` now, in the wallet's gas asset. */
export function gasCostOf(wallet: SimulatedWallet, ops: readonly GasOp[]): number {
  let cost = 0;
  for (const g of ops) cost += wallet.gasQuote(g.op, g.venue).cost;
  return cost;
}

/**
 * Throws VenueError unless the wallet can pay `amount` of `asset` (null for none) plus the gas of `ops`,
 * counting `incoming` units of the gas asset that the operation credits first (proceeds may pay the gas of
 * their own operation).
 */
export function assertCanPay(
  venue: string,
  wallet: SimulatedWallet,
  asset: string | null,
  amount: number,
  ops: readonly GasOp[],
  incoming = 0,
): void {
  const gas = gasCostOf(wallet, ops);
  const gasAsset = wallet.gasAsset;
  if (asset !== null && asset !== gasAsset) {
    if (!wallet.canDebit(asset, amount))
      throw new VenueError(
        venue,
        `insufficient ${asset} in the wallet: has ${wallet.balanceOf(asset)}, needs ${amount}`,
      );
  }
  const sameAsset = asset === gasAsset;
  const need = gas + (sameAsset ? amount : 0);
  const has = wallet.balanceOf(gasAsset) + incoming;
  if (need > 0 && !(need <= has || need - has <= 1e-9 * need)) {
    const what = sameAsset && amount > 0 ? `${amount} + ${gas} gas` : `${gas} gas`;
    throw new VenueError(venue, `insufficient ${gasAsset} in the wallet: has ${has}, needs ${what}`);
  }
}

/** Charges the gas of `ops` (each booked and logged by the wallet); returns the total in ETH. */
export function chargeGas(wallet: SimulatedWallet, ledger: Ledger, ops: readonly GasOp[]): number {
  let eth = 0;
  for (const g of ops) eth += wallet.chargeGas(g.op, ledger, g.venue);
  return eth;
}
