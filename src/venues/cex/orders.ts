/**
 * Instruction → exchange order: spot buys and sells at market, perp opens and reduce-only closes (a close
 * never larger than the position), limit orders at the valuation price for `order_type: maker`, the
 * amount rounded down to the exchange's lot step. A remainder below the lot is a refusal, not an order.
 */
import { VenueError } from '../../domain/errors.js';
import type { Instruction } from '../../domain/types.js';
import { QUOTE } from '../simulated/cex-market.js';
import { roundToLot } from './payload.js';
import type { CexMarketKind, LotRule, OrderRequest } from './types.js';

export interface OrderContext {
  venue: string;
  orderType: 'taker' | 'maker';
  /** |size| of the open perp, base units (throws for a symbol not traded). */
  openPerp(symbol: string): number;
  /** Throws VenueError for a spot symbol not traded. */
  checkSpot(symbol: string): void;
  price(market: CexMarketKind, symbol: string): number;
  lot(market: CexMarketKind, symbol: string): LotRule;
}

export function orderForInstruction(i: Instruction, clientId: string, c: OrderContext): OrderRequest {
  let req: OrderRequest;
  if (i.op === 'spot_buy' || i.op === 'spot_sell') {
    if (i.quote !== QUOTE)
      throw new VenueError(c.venue, `spot trades are quoted in ${QUOTE}, not ${i.quote}`);
    const symbol = i.base + i.quote;
    c.checkSpot(symbol);
    const side = i.op === 'spot_buy' ? 'buy' : 'sell';
    req = { clientId, market: 'spot', symbol, side, amount: i.amount, type: 'market', reduceOnly: false };
  } else if (i.op === 'perp_open' || i.op === 'perp_close') {
    const open = c.openPerp(i.symbol);
    const opening = i.op === 'perp_open';
    const side = (i.side === 'long') === opening ? 'buy' : 'sell';
    const amount = opening ? i.size : Math.min(i.size, open);
    req = { clientId, market: 'perp', symbol: i.symbol, side, amount, type: 'market', reduceOnly: !opening };
  } else throw new VenueError(c.venue, `cex does not execute '${i.op}' instructions`);
  if (c.orderType === 'maker') {
    req.type = 'limit';
    req.price = c.price(req.market, req.symbol);
  }
  const lot = c.lot(req.market, req.symbol);
  const amount = roundToLot(req.amount, lot);
  if (amount <= 0)
    throw new VenueError(
      c.venue,
      `${req.side} ${req.amount} ${req.symbol} is below the lot size (${lot.min})`,
      false,
      'rejected',
    );
  req.amount = amount;
  return req;
}
