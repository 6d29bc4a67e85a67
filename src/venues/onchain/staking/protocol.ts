/**
 * What differs between liquid-staking protocols on chain: how ETH becomes the rebasing token, how that is
 * wrapped and unwrapped, the exchange-rate read, and the withdrawal queue. Implementations: ../lido and
 * ../etherfi.
 */
import type { Abi, Address, Hex, PublicClient } from 'viem';

export interface Call {
  to: Address;
  data: Hex;
  value?: bigint;
}

export interface StakingProtocol {
  /** Wrapped, non-rebasing token held and supplied (wstETH, weETH). */
  readonly lst: string;
  /** Rebasing token the wrapper holds (stETH, eETH). */
  readonly rebasing: string;
  /** `stakeKind` of the LeverageExecutor's OpenParams. */
  readonly executorKind: number;
  /** Contract that takes ETH and mints the rebasing token (executor's `stakingPool`). */
  readonly stakingPool: Address;
  readonly rebasingToken: Address;
  readonly wrapped: Address;
  /** Where withdrawal requests go (the spender of the rebasing token). */
  readonly queue: Address;
  /** ETH per wrapped token, 18 decimals. */
  readRate(pub: PublicClient, blockNumber?: bigint): Promise<bigint>;
  stake(wei: bigint): Call;
  wrap(amount: bigint): Call;
  unwrap(amount: bigint): Call;
  requestWithdrawal(amount: bigint, owner: Address): Call;
  /** Request ids from the simulated return data of `requestWithdrawal`. */
  requestIds(returnData: Hex): bigint[];
  /** Which of `ids` are finalised (claimable). */
  finalized(pub: PublicClient, ids: readonly bigint[]): Promise<boolean[]>;
  claim(id: bigint): Call;
  readonly abi: Abi;
}
