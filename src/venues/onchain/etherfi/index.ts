/**
 * ether.fi on chain: ETH → eETH (`LiquidityPool.deposit`) → weETH (`wrap`); exchange rate `getRate`; exit
 * through `LiquidityPool.requestWithdraw` and the WithdrawRequestNFT (`isFinalized`, `claimWithdraw`).
 * Venue block keys: `liquidity_pool_address`, `eeth_address`, `weeth_address`, `withdraw_request_nft_address`.
 * @see https://etherfi.gitbook.io/etherfi/developers/contracts-and-integrations
 */
import { decodeFunctionResult, encodeFunctionData, type Address, type Hex, type PublicClient } from 'viem';
import { etherfiAbi } from '../staking/abi.js';
import type { Call, StakingProtocol } from '../staking/protocol.js';
import { STAKE_KIND } from '../executor/abi.js';

export class EtherFiProtocol implements StakingProtocol {
  readonly lst = 'weETH';
  readonly rebasing = 'eETH';
  readonly executorKind = STAKE_KIND.etherfi;
  readonly abi = etherfiAbi;

  constructor(
    readonly stakingPool: Address,
    readonly rebasingToken: Address,
    readonly wrapped: Address,
    readonly withdrawNft: Address,
  ) {}

  /** Withdrawal requests pull eETH from the LiquidityPool's caller: the pool is the spender. */
  get queue(): Address {
    return this.stakingPool;
  }

  readRate(pub: PublicClient, blockNumber?: bigint): Promise<bigint> {
    return pub.readContract({ address: this.wrapped, abi: etherfiAbi, functionName: 'getRate', blockNumber });
  }

  stake(wei: bigint): Call {
    return {
      to: this.stakingPool,
      data: encodeFunctionData({ abi: etherfiAbi, functionName: 'deposit' }),
      value: wei,
    };
  }

  wrap(amount: bigint): Call {
    return {
      to: this.wrapped,
      data: encodeFunctionData({ abi: etherfiAbi, functionName: 'wrap', args: [amount] }),
    };
  }

  unwrap(amount: bigint): Call {
    return {
      to: this.wrapped,
      data: encodeFunctionData({ abi: etherfiAbi, functionName: 'unwrap', args: [amount] }),
    };
  }

  requestWithdrawal(amount: bigint, owner: Address): Call {
    return {
      to: this.stakingPool,
      data: encodeFunctionData({ abi: etherfiAbi, functionName: 'requestWithdraw', args: [owner, amount] }),
    };
  }

  requestIds(returnData: Hex): bigint[] {
    return [decodeFunctionResult({ abi: etherfiAbi, functionName: 'requestWithdraw', data: returnData })];
  }

  async finalized(pub: PublicClient, ids: readonly bigint[]): Promise<boolean[]> {
    return Promise.all(
      ids.map((id) =>
        pub.readContract({
          address: this.withdrawNft,
          abi: etherfiAbi,
          functionName: 'isFinalized',
          args: [id],
        }),
      ),
    );
  }

  claim(id: bigint): Call {
    return {
      to: this.withdrawNft,
      data: encodeFunctionData({ abi: etherfiAbi, functionName: 'claimWithdraw', args: [id] }),
    };
  }
}
