/**
 * Lido on chain: ETH → stETH (`submit`) → wstETH (`wrap`); exchange rate `stEthPerToken`; exit through the
 * WithdrawalQueueERC721 (`requestWithdrawals`, `getWithdrawalStatus`, `claimWithdrawal`).
 * Venue block keys: `steth_address`, `wsteth_address`, `withdrawal_queue_address`.
 * @see https://docs.lido.fi/contracts/lido https://docs.lido.fi/contracts/withdrawal-queue-erc721
 */
import { decodeFunctionResult, encodeFunctionData, type Address, type Hex, type PublicClient } from 'viem';
import { lidoAbi } from '../staking/abi.js';
import type { Call, StakingProtocol } from '../staking/protocol.js';
import { STAKE_KIND } from '../executor/abi.js';

const ZERO = '0x0000000000000000000000000000000000000000' as const;

export class LidoProtocol implements StakingProtocol {
  readonly lst = 'wstETH';
  readonly rebasing = 'stETH';
  readonly executorKind = STAKE_KIND.lido;
  readonly abi = lidoAbi;

  constructor(
    readonly stakingPool: Address,
    readonly wrapped: Address,
    readonly queue: Address,
  ) {}

  get rebasingToken(): Address {
    return this.stakingPool;
  }

  readRate(pub: PublicClient, blockNumber?: bigint): Promise<bigint> {
    return pub.readContract({
      address: this.wrapped,
      abi: lidoAbi,
      functionName: 'stEthPerToken',
      blockNumber,
    });
  }

  stake(wei: bigint): Call {
    return {
      to: this.stakingPool,
      data: encodeFunctionData({ abi: lidoAbi, functionName: 'submit', args: [ZERO] }),
      value: wei,
    };
  }

  wrap(amount: bigint): Call {
    return {
      to: this.wrapped,
      data: encodeFunctionData({ abi: lidoAbi, functionName: 'wrap', args: [amount] }),
    };
  }

  unwrap(amount: bigint): Call {
    return {
      to: this.wrapped,
      data: encodeFunctionData({ abi: lidoAbi, functionName: 'unwrap', args: [amount] }),
    };
  }

  requestWithdrawal(amount: bigint, owner: Address): Call {
    return {
      to: this.queue,
      data: encodeFunctionData({ abi: lidoAbi, functionName: 'requestWithdrawals', args: [[amount], owner] }),
    };
  }

  requestIds(returnData: Hex): bigint[] {
    return [...decodeFunctionResult({ abi: lidoAbi, functionName: 'requestWithdrawals', data: returnData })];
  }

  async finalized(pub: PublicClient, ids: readonly bigint[]): Promise<boolean[]> {
    if (ids.length === 0) return [];
    const s = await pub.readContract({
      address: this.queue,
      abi: lidoAbi,
      functionName: 'getWithdrawalStatus',
      args: [[...ids]],
    });
    return s.map((x) => x.isFinalized && !x.isClaimed);
  }

  claim(id: bigint): Call {
    return {
      to: this.queue,
      data: encodeFunctionData({ abi: lidoAbi, functionName: 'claimWithdrawal', args: [id] }),
    };
  }
}
