/**
 * Lending family (pure_lending_usdt, pure_lending_eth): supply the share-class asset to the lending
 * venue, keep the wallet empty but for pending withdrawals, pay gas from the amount moved.
 */
import type { LendingMode } from './params.js';
import type { Instruction, StrategyDecision } from '../../domain/types.js';
import { decision, route, type Strategy, type StrategyContext } from '../base.js';

export class LendingStrategy implements Strategy {
  private readonly lendingVenue: string;
  private readonly asset: string;
  private readonly walletAsset: string;

  constructor(readonly mode: LendingMode) {
    this.lendingVenue = route(mode, 'lending');
    this.asset = mode.strategy.lending_asset ?? mode.share_class;
    this.walletAsset = mode.share_class;
  }

  decide(ctx: StrategyContext): StrategyDecision | null {
    const lending = ctx.venues.lending(this.lendingVenue);
    const wallet = ctx.venues.wallet;
    const cash = wallet.balanceOf(this.walletAsset);
    const supplied = lending.supplied(this.asset);
    const v = this.lendingVenue;

    if (ctx.pendingWithdrawal > cash) {
      const gas = ctx.gasCost(v, 'withdraw');
      const need = ctx.pendingWithdrawal - cash + gas;
      const amount = Math.min(need, supplied);
      const full = amount >= supplied * (1 - 1e-12);
      const i: Instruction = { op: 'withdraw', venue: v, asset: this.asset, amount };
      return decision(full ? 'exit_full' : 'exit_partial', 'fund a withdrawal', [i]);
    }

    const gas = ctx.gasCost(v, 'supply');
    const idle = cash - ctx.pendingWithdrawal - gas;
    // Invest idle cash once the gas of doing so is below 1 % of it.
    if (idle > gas * 100 && idle > 0) {
      const i: Instruction = { op: 'supply', venue: v, asset: this.asset, amount: idle };
      return decision(
        supplied === 0 ? 'entry_full' : 'entry_partial',
        supplied === 0 ? 'initial supply' : 'invest idle cash',
        [i],
      );
    }
    return null;
  }
}
