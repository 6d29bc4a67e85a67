/** Local Binance: `exchangeInfo` of the spot and USDⓈ-M futures markets (what ccxt's loadMarkets parses). */
import type { Book } from './book.js';

function decimals(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

export function spotExchangeInfo(book: Book): unknown {
  return {
    timezone: 'UTC',
    serverTime: book.opts.now(),
    rateLimits: [],
    symbols: book.allMarkets().map((m) => ({
      symbol: m.symbol,
      status: 'TRADING',
      baseAsset: m.base,
      baseAssetPrecision: 8,
      quoteAsset: m.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      orderTypes: ['LIMIT', 'MARKET'],
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      permissions: ['SPOT'],
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: '0.01', maxPrice: '1000000', tickSize: String(m.tickSize) },
        {
          filterType: 'LOT_SIZE',
          minQty: String(m.spotStep),
          maxQty: '9000',
          stepSize: String(m.spotStep),
        },
        { filterType: 'NOTIONAL', minNotional: '5' },
      ],
    })),
  };
}

export function futuresExchangeInfo(book: Book): unknown {
  return {
    timezone: 'UTC',
    serverTime: book.opts.now(),
    rateLimits: [],
    assets: [{ asset: 'USDT', marginAvailable: true }],
    symbols: book.allMarkets().map((m) => ({
      symbol: m.symbol,
      pair: m.symbol,
      contractType: 'PERPETUAL',
      deliveryDate: 4133404800000,
      onboardDate: 1569398400000,
      status: 'TRADING',
      baseAsset: m.base,
      quoteAsset: m.quote,
      marginAsset: m.quote,
      pricePrecision: decimals(m.tickSize),
      quantityPrecision: decimals(m.perpStep),
      baseAssetPrecision: 8,
      quotePrecision: 8,
      underlyingType: 'COIN',
      filters: [
        { filterType: 'PRICE_FILTER', minPrice: '0.1', maxPrice: '4529764', tickSize: String(m.tickSize) },
        {
          filterType: 'LOT_SIZE',
          minQty: String(m.perpStep),
          maxQty: '1000',
          stepSize: String(m.perpStep),
        },
        {
          filterType: 'MARKET_LOT_SIZE',
          minQty: String(m.perpStep),
          maxQty: '120',
          stepSize: String(m.perpStep),
        },
        { filterType: 'MIN_NOTIONAL', notional: '5' },
      ],
      orderTypes: ['LIMIT', 'MARKET'],
      timeInForce: ['GTC', 'IOC'],
    })),
  };
}
