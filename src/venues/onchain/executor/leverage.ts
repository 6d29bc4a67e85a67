/**
 * Client of our LeverageExecutor contract (contracts/LeverageExecutor.sol): the one-transaction open and
 * close of an Aave e-mode loop around a Morpho flash loan, plus the owner's one-time setup it relies on
 * (e-mode category, WETH credit delegation to the executor, aToken allowance for the close).
 */
import { encodeFunctionData, erc20Abi, maxUint256, type Address } from 'viem';
import { VenueError } from '../../../domain/errors.js';
import type { Ledger } from '../../types.js';
import type { OnchainAave } from '../aave/index.js';
import { poolAbi, scaledTokenAbi } from '../aave/abi.js';
import type { ChainContext } from '../chain/context.js';
import { toVenueError } from '../chain/errors.js';
import type { TxOutcome } from '../chain/sender.js';
import type { StakingProtocol } from '../staking/protocol.js';
import { leverageExecutorAbi } from './abi.js';

export interface OpenRequest {
  protocol: StakingProtocol;
  /** WETH flash-borrowed (base units). */
  flashWei: bigint;
  /** WETH borrowed from Aave (≥ flashWei). */
  borrowWei: bigint;
  /** Own ETH sent with the call (msg.value). */
  equityWei: bigint;
  /** Least LST supplied as collateral. */
  minCollateral: bigint;
}

export interface CloseRequest {
  lst: Address;
  /** WETH debt repaid; maxUint256 = all (read in the transaction). */
  repayWei: bigint;
  /** LST collateral withdrawn; maxUint256 = all. */
  withdrawWei: bigint;
  router: Address;
  fee: number;
  minWethOut: bigint;
}

type Send = (
  ledger: Ledger | null,
  op: string,
  req: {
    to: Address;
    data: `0x${string}`;
    value?: bigint;
    description: string;
    simulate?: boolean;
    gas?: bigint;
  },
) => Promise<TxOutcome>;

export class LeverageExecutorClient {
  private checkedOwner = false;

  constructor(
    readonly venue: string,
    private readonly ctx: ChainContext,
    readonly executor: Address,
    private readonly aave: OnchainAave,
    private readonly send: Send,
    /** Refreshes the run's views after setup transactions. */
    private readonly refresh: () => Promise<void> = async () => {},
  ) {}

  /** The executor must belong to this wallet (it acts on the owner's Aave account). */
  async checkOwner(): Promise<void> {
    if (this.checkedOwner) return;
    let owner: Address;
    try {
      owner = await this.ctx.pub.readContract({
        address: this.executor,
        abi: leverageExecutorAbi,
        functionName: 'owner',
      });
    } catch (err) {
      throw toVenueError(this.venue, `reading the owner of executor ${this.executor}`, err);
    }
    if (owner.toLowerCase() !== this.ctx.address.toLowerCase()) {
      throw new VenueError(
        this.venue,
        `leverage executor ${this.executor} is owned by ${owner}, not by the wallet ${this.ctx.address}`,
      );
    }
    this.checkedOwner = true;
  }

  /**
   * The owner's setup for `lst`: e-mode category on, WETH credit delegation ≥ `borrowWei` to the executor,
   * and (for closes) the LST aToken approved. Sends only what is missing; returns gas ETH.
   */
  async ensureSetup(ledger: Ledger | null, lst: string, borrowWei: bigint): Promise<number> {
    await this.checkOwner();
    const c = this.ctx.pub;
    let gas = 0;
    const category = this.aave.config.emode?.category_id;
    if (category !== undefined) {
      const current = await c.readContract({
        address: this.aave.settings.pool,
        abi: poolAbi,
        functionName: 'getUserEMode',
        args: [this.ctx.address],
      });
      if (Number(current) !== category) {
        this.aave.setEmode(true);
        gas += await this.aave.applyEmode(ledger);
      }
    }
    const debtToken = this.aave.reserveTokens('WETH').variableDebtToken;
    const allowance = await c.readContract({
      address: debtToken,
      abi: scaledTokenAbi,
      functionName: 'borrowAllowance',
      args: [this.ctx.address, this.executor],
    });
    if (allowance < borrowWei) {
      gas += (
        await this.send(ledger, 'approve', {
          to: debtToken,
          data: encodeFunctionData({
            abi: scaledTokenAbi,
            functionName: 'approveDelegation',
            args: [this.executor, maxUint256],
          }),
          description: `delegate WETH borrowing to executor ${this.executor}`,
        })
      ).gasEth;
    }
    const aToken = this.aave.reserveTokens(lst).aToken;
    const aAllowance = await c.readContract({
      address: aToken,
      abi: erc20Abi,
      functionName: 'allowance',
      args: [this.ctx.address, this.executor],
    });
    if (aAllowance < maxUint256 / 2n) {
      gas += (
        await this.send(ledger, 'approve', {
          to: aToken,
          data: encodeFunctionData({
            abi: erc20Abi,
            functionName: 'approve',
            args: [this.executor, maxUint256],
          }),
          description: `approve a${lst} for executor ${this.executor}`,
        })
      ).gasEth;
    }
    if (gas > 0) await this.refresh();
    return gas;
  }

  /** One transaction: flash WETH → stake → supply LST → borrow WETH → repay the flash loan. */
  open(
    ledger: Ledger | null,
    r: OpenRequest,
    opts: { simulate?: boolean; gas?: bigint } = {},
  ): Promise<TxOutcome> {
    const p = r.protocol;
    return this.send(ledger, 'leverage_open', {
      to: this.executor,
      data: encodeFunctionData({
        abi: leverageExecutorAbi,
        functionName: 'open',
        args: [
          {
            lst: p.wrapped,
            stakingPool: p.stakingPool,
            rebasingToken: p.rebasingToken,
            stakeKind: p.executorKind,
            flashAmount: r.flashWei,
            borrowAmount: r.borrowWei,
            minCollateral: r.minCollateral,
          },
        ],
      }),
      value: r.equityWei,
      description: `executor open: flash ${r.flashWei} wei WETH, stake into ${p.lst}, supply, borrow ${r.borrowWei} wei WETH`,
      ...opts,
    });
  }

  /** One transaction: flash WETH → repay debt → withdraw LST → sell it on Uniswap → repay the flash loan. */
  close(
    ledger: Ledger | null,
    r: CloseRequest,
    opts: { simulate?: boolean; gas?: bigint } = {},
  ): Promise<TxOutcome> {
    return this.send(ledger, 'leverage_close', {
      to: this.executor,
      data: encodeFunctionData({
        abi: leverageExecutorAbi,
        functionName: 'close',
        args: [
          {
            lst: r.lst,
            repayAmount: r.repayWei,
            withdrawAmount: r.withdrawWei,
            router: r.router,
            fee: r.fee,
            minWethOut: r.minWethOut,
          },
        ],
      }),
      description: `executor close: repay ${r.repayWei === maxUint256 ? 'all' : `${r.repayWei} wei`} WETH, withdraw ${r.withdrawWei === maxUint256 ? 'all' : `${r.withdrawWei} wei`} collateral, sell for WETH (min ${r.minWethOut} wei)`,
      ...opts,
    });
  }
}
