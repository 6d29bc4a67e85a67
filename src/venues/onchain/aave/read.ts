/**
 * Raw reads of the Aave V3 account and reserves at one block (nothing is converted here): the account data and
 * e-mode, and per reserve the aToken / variable-debt balances (scaled and not), the normalised indexes (ray)
 * and the oracle price (USD, 8 decimals).
 */
import type { Address, PublicClient } from 'viem';
import { oracleAbi, poolAbi, scaledTokenAbi } from './abi.js';

export interface RawReserve {
  supplied: bigint;
  debt: bigint;
  scaledSupply: bigint;
  scaledDebt: bigint;
  liquidityIndex: bigint;
  borrowIndex: bigint;
  price: bigint;
}

export interface RawAccount {
  /** totalCollateralBase, totalDebtBase, availableBorrowsBase, currentLiquidationThreshold, ltv, healthFactor */
  data: readonly [bigint, bigint, bigint, bigint, bigint, bigint];
  emode: bigint;
}

export async function readAccount(
  c: PublicClient,
  blockNumber: bigint,
  pool: Address,
  user: Address,
): Promise<RawAccount> {
  const [data, emode] = await Promise.all([
    c.readContract({
      address: pool,
      abi: poolAbi,
      functionName: 'getUserAccountData',
      args: [user],
      blockNumber,
    }),
    c.readContract({ address: pool, abi: poolAbi, functionName: 'getUserEMode', args: [user], blockNumber }),
  ]);
  return { data, emode };
}

export async function readReserve(
  c: PublicClient,
  blockNumber: bigint,
  where: { pool: Address; oracle: Address; asset: Address; aToken: Address; variableDebtToken: Address },
  user: Address,
): Promise<RawReserve> {
  const token = (address: Address, functionName: 'balanceOf' | 'scaledBalanceOf') =>
    c.readContract({ address, abi: scaledTokenAbi, functionName, args: [user], blockNumber });
  const [supplied, debt, scaledSupply, scaledDebt, liquidityIndex, borrowIndex, price] = await Promise.all([
    token(where.aToken, 'balanceOf'),
    token(where.variableDebtToken, 'balanceOf'),
    token(where.aToken, 'scaledBalanceOf'),
    token(where.variableDebtToken, 'scaledBalanceOf'),
    c.readContract({
      address: where.pool,
      abi: poolAbi,
      functionName: 'getReserveNormalizedIncome',
      args: [where.asset],
      blockNumber,
    }),
    c.readContract({
      address: where.pool,
      abi: poolAbi,
      functionName: 'getReserveNormalizedVariableDebt',
      args: [where.asset],
      blockNumber,
    }),
    c.readContract({
      address: where.oracle,
      abi: oracleAbi,
      functionName: 'getAssetPrice',
      args: [where.asset],
      blockNumber,
    }),
  ]);
  return { supplied, debt, scaledSupply, scaledDebt, liquidityIndex, borrowIndex, price };
}
