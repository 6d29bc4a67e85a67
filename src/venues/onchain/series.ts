/**
 * The market-data series a run reads (src/data/types.ts ids), sampled from the refreshed on-chain views, so a
 * wall-clock run on chain can fill its grid from the chain it trades on:
 * - `oracle.{ASSET}.usd`: the Aave oracle price; `oracle.{LST}.eth`: Aave oracle LST / WETH;
 * - `aave.{ASSET}.liquidityIndex` / `.variableBorrowIndex`: the normalised indexes (÷ 1e27);
 * - `peg.{LST}.market_rate` and `peg.{LST}.protocol_rate`: ETH per LST on Uniswap (mid price) and at the
 *   issuer's rate; `dex.{BASE}{QUOTE}.price`: Uniswap mid price (quote per base).
 * Other ids (CEX prices, gas) have their own live feeds.
 */
import type { OnchainAave } from './aave/index.js';
import type { OnchainStaking } from './staking/index.js';
import type { OnchainUniswap } from './uniswap/index.js';

export interface SeriesVenues {
  aave?: OnchainAave | null;
  staking?: readonly OnchainStaking[];
  dex?: OnchainUniswap | null;
}

const ORACLE_USD = /^oracle\.([A-Za-z0-9]+)\.usd$/;
const ORACLE_ETH = /^oracle\.([A-Za-z0-9]+)\.eth$/;
const INDEX = /^aave\.([A-Za-z0-9]+)\.(liquidityIndex|variableBorrowIndex)$/;
const PEG = /^peg\.([A-Za-z0-9]+)\.(market_rate|protocol_rate)$/;
const DEX = /^dex\.(WETH|ETH|USDT|weETH|wstETH)(WETH|ETH|USDT|weETH|wstETH)\.price$/;

/** Whether `id` is sampled from the on-chain views. */
export function isOnchainSeries(id: string): boolean {
  return [ORACLE_USD, ORACLE_ETH, INDEX, PEG, DEX].some((r) => r.test(id));
}

/** The value of `id` now (the views' last refresh); NaN when the venues cannot say. */
export function onchainSeriesValue(v: SeriesVenues, id: string): number {
  let m: RegExpExecArray | null;
  const aave = v.aave ?? null;
  if ((m = ORACLE_USD.exec(id))) return aave && aave.assets.includes(m[1]) ? aave.priceUsd(m[1]) : NaN;
  if ((m = ORACLE_ETH.exec(id))) {
    if (!aave || !aave.assets.includes(m[1]) || !aave.assets.includes('WETH')) return NaN;
    return aave.priceUsd(m[1]) / aave.priceUsd('WETH');
  }
  if ((m = INDEX.exec(id))) {
    if (!aave || !aave.assets.includes(m[1])) return NaN;
    const x = aave.indexes(m[1]);
    return Number(m[2] === 'liquidityIndex' ? x.liquidityIndexRay : x.borrowIndexRay) / 1e27;
  }
  if ((m = PEG.exec(id))) {
    if (m[2] === 'protocol_rate') return v.staking?.find((s) => s.lst === m![1])?.rate() ?? NaN;
    return v.dex ? v.dex.midPrice(m[1], 'WETH') : NaN;
  }
  if ((m = DEX.exec(id))) return v.dex ? v.dex.midPrice(m[1], m[2]) : NaN;
  return NaN;
}

/** One grid row of every on-chain series among `ids`. */
export function onchainSeriesRow(v: SeriesVenues, ids: readonly string[]): Record<string, number> {
  const row: Record<string, number> = {};
  for (const id of ids) if (isOnchainSeries(id)) row[id] = onchainSeriesValue(v, id);
  return row;
}
