/**
 * Liquid-staking venue on chain (Lido or ether.fi through a StakingProtocol): `stake` turns ETH (or WETH,
 * unwrapped first) into the rebasing token and wraps it into the LST in the wallet; `unstake` unwraps and
 * requests a withdrawal from the protocol's queue; `claimFinalized()` collects finalised requests. The view:
 * the protocol rate (ETH per LST) and the ETH waiting in the queue (`<name>:BaseToken:ETH`, like the
 * simulated venue). Inside a flash-loan group `stake` is recorded in the atomic route instead.
 */
import { encodeFunctionData, erc20Abi, formatUnits } from 'viem';
import type { StakingVenueConfig } from '../../../config/schema.js';
import { ConfigError, VenueError } from '../../../domain/errors.js';
import { positionKey, type Instruction, type PositionKey } from '../../../domain/types.js';
import type { Fill, Ledger, StakingVenue } from '../../types.js';
import { OnchainVenue, type OnchainDeps } from '../base.js';
import { toVenueError } from '../chain/errors.js';
import { wethAbi } from '../wallet/abi.js';
import type { StakingProtocol } from './protocol.js';

interface WithdrawalRequest {
  id: bigint;
  eth: number;
  finalized: boolean;
}

interface StakingView {
  rate: number;
  requests: WithdrawalRequest[];
  blockNumber: bigint;
}

export class OnchainStaking extends OnchainVenue<StakingView> implements StakingVenue {
  readonly kind = 'staking' as const;
  readonly positionKeys: readonly PositionKey[];
  readonly lst: string;
  readonly route: 'mint' | 'dex';
  readonly exitRoute: 'queue' | 'dex';
  readonly unstakeDelayHours: number;
  readonly minStakeEth: number;

  constructor(
    name: string,
    deps: OnchainDeps,
    config: StakingVenueConfig,
    readonly protocol: StakingProtocol,
  ) {
    super(name, deps, { rate: NaN, requests: [], blockNumber: 0n });
    const file = `config/venues/${config.venue}.yaml`;
    const p = config.params;
    this.lst = protocol.lst;
    if (p.lst_symbol !== protocol.lst)
      throw new ConfigError(
        file,
        'params.lst_symbol',
        `expected ${protocol.lst}, received ${String(p.lst_symbol)}`,
      );
    this.route = p.route;
    this.exitRoute = p.exit_route;
    this.unstakeDelayHours = p.unstake_delay_hours;
    this.minStakeEth = p.min_stake_eth;
    this.positionKeys = [positionKey(name, 'BaseToken', 'ETH')];
  }

  rate(): number {
    return this.view.rate;
  }

  queuedEth(): number {
    return this.view.requests.reduce((s, r) => s + r.eth, 0);
  }

  /** Withdrawal requests not yet claimed (ids, ETH, finalised or not). */
  withdrawalRequests(): readonly WithdrawalRequest[] {
    return this.view.requests.map((r) => ({ ...r }));
  }

  readPositions(out: Float64Array, offset: number): void {
    out[offset] = this.queuedEth();
  }

  /** LST and ETH sit in the wallet; the venue holds none. */
  balanceOf(): number {
    return 0;
  }

  credit(asset: string): void {
    throw new VenueError(this.name, `cannot hold ${asset}: tokens stay in the wallet`);
  }

  debit(asset: string): void {
    throw new VenueError(this.name, `cannot send ${asset}: tokens stay in the wallet`);
  }

  async refresh(): Promise<void> {
    try {
      const blockNumber = await this.ctx.pub.getBlockNumber();
      const rate = await this.protocol.readRate(this.ctx.pub, blockNumber);
      const ids = this.view.requests.map((r) => r.id);
      const fin = await this.protocol.finalized(this.ctx.pub, ids);
      this.view = {
        rate: Number(formatUnits(rate, 18)),
        requests: this.view.requests.map((r, i) => ({ ...r, finalized: fin[i] })),
        blockNumber,
      };
    } catch (err) {
      throw toVenueError(this.name, 'refresh', err);
    }
  }

  async execute(i: Instruction, ledger: Ledger): Promise<Fill> {
    if (i.op !== 'stake' && i.op !== 'unstake') {
      throw new VenueError(this.name, `staking venue does not execute '${i.op}' instructions`);
    }
    if (i.op === 'stake') {
      if (i.asset !== 'ETH' && i.asset !== 'WETH')
        throw new VenueError(this.name, `stake takes ETH or WETH, received ${i.asset}`);
      if (!(i.amount >= this.minStakeEth)) {
        throw new VenueError(
          this.name,
          `stake ${i.amount} ETH is below the minimum of ${this.minStakeEth} ETH`,
        );
      }
      const wei = this.raw('ETH', i.amount);
      if (this.deps.route.active) return this.routed(i);
      return this.stake(wei, i.asset, ledger);
    }
    if (i.asset !== this.lst)
      throw new VenueError(this.name, `unstake takes ${this.lst}, received ${i.asset}`);
    if (this.deps.route.active)
      throw new VenueError(this.name, 'a withdrawal request cannot be part of a flash-loan group');
    return this.unstake(this.raw(this.lst, i.amount), ledger);
  }

  private async stake(wei: bigint, prefer: 'ETH' | 'WETH', ledger: Ledger): Promise<Fill> {
    const p = this.protocol;
    let gasEth = 0;
    // ETH from the preferred form first; WETH is unwrapped
    const weth = await this.balanceRaw('WETH').catch(() => 0n);
    const eth = await this.balanceRaw('ETH');
    const fromWeth = prefer === 'WETH' ? (weth < wei ? weth : wei) : eth >= wei ? 0n : wei - eth;
    if (fromWeth > weth || eth + fromWeth < wei) {
      throw new VenueError(
        this.name,
        `insufficient ETH + WETH: has ${this.units('ETH', eth)} ETH + ${this.units('ETH', weth)} WETH, needs ${this.units('ETH', wei)}`,
        false,
        'insufficient_balance',
      );
    }
    if (fromWeth > 0n) {
      const o = await this.send(ledger, 'wrap', {
        to: this.token('WETH').address,
        data: encodeFunctionData({ abi: wethAbi, functionName: 'withdraw', args: [fromWeth] }),
        description: `unwrap ${this.units('ETH', fromWeth)} WETH to stake`,
      });
      gasEth += o.gasEth;
    }
    const before = await this.rebasingBalance();
    const s = await this.send(ledger, 'stake', {
      ...p.stake(wei),
      description: `stake ${this.units('ETH', wei)} ETH`,
    });
    gasEth += s.gasEth;
    const minted = (await this.rebasingBalance()) - before;
    gasEth += await this.approve(ledger, p.rebasingToken, p.wrapped, minted);
    const lstBefore = await this.balanceRaw(this.lst);
    const w = await this.send(ledger, 'wrap', {
      ...p.wrap(minted),
      description: `wrap ${p.rebasing} into ${this.lst}`,
    });
    gasEth += w.gasEth;
    const lstOut = (await this.balanceRaw(this.lst)) - lstBefore;
    await this.afterAction(ledger);
    const ethIn = this.units('ETH', wei);
    const lstUnits = this.units(this.lst, lstOut);
    return this.fill('stake', ethIn, gasEth, lstUnits > 0 ? ethIn / lstUnits : NaN, 0, 'ETH');
  }

  private async unstake(amount: bigint, ledger: Ledger): Promise<Fill> {
    const p = this.protocol;
    await this.requireBalance(this.lst, amount);
    let gasEth = 0;
    const before = await this.rebasingBalance();
    gasEth += (
      await this.send(ledger, 'unwrap', {
        ...p.unwrap(amount),
        description: `unwrap ${this.units(this.lst, amount)} ${this.lst}`,
      })
    ).gasEth;
    const rebasing = (await this.rebasingBalance()) - before;
    gasEth += await this.approve(ledger, p.rebasingToken, p.queue, rebasing);
    const r = await this.send(ledger, 'unstake', {
      ...p.requestWithdrawal(rebasing, this.user),
      description: `request withdrawal of ${this.units('ETH', rebasing)} ${p.rebasing}`,
    });
    gasEth += r.gasEth;
    const ids = r.returnData ? p.requestIds(r.returnData) : [];
    const eth = this.units('ETH', rebasing);
    this.view.requests.push(...ids.map((id) => ({ id, eth: eth / ids.length, finalized: false })));
    ledger.event('withdrawal_requested', { venue: this.name, ids: ids.map(String), eth });
    await this.afterAction(ledger);
    return this.fill(
      'unstake',
      this.units(this.lst, amount),
      gasEth,
      eth / this.units(this.lst, amount),
      0,
      this.lst,
    );
  }

  /** Claims every finalised withdrawal request; returns the ETH claimed. */
  async claimFinalized(ledger: Ledger | null = null): Promise<number> {
    await this.refresh();
    let claimed = 0;
    for (const r of this.view.requests.filter((x) => x.finalized)) {
      await this.send(ledger, 'claim', {
        ...this.protocol.claim(r.id),
        description: `claim withdrawal ${r.id}`,
      });
      claimed += r.eth;
      this.view.requests = this.view.requests.filter((x) => x.id !== r.id);
    }
    await this.afterAction(ledger ?? undefined);
    return claimed;
  }

  private async rebasingBalance(): Promise<bigint> {
    return this.ctx.pub.readContract({
      address: this.protocol.rebasingToken,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [this.user],
    });
  }

  private async approve(
    ledger: Ledger,
    token: `0x${string}`,
    spender: `0x${string}`,
    amount: bigint,
  ): Promise<number> {
    const allowance = await this.ctx.pub.readContract({
      address: token,
      abi: erc20Abi,
      functionName: 'allowance',
      args: [this.user, spender],
    });
    if (allowance >= amount) return 0;
    const o = await this.send(ledger, 'approve', {
      to: token,
      data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [spender, 2n ** 256n - 1n] }),
      description: `approve ${this.protocol.rebasing} for ${spender}`,
    });
    return o.gasEth;
  }
}
