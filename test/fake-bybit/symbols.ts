/**
 * The instruments the fake Bybit knows. Every linear symbol is served from the one real price
 * series we have (Bybit inverse BTCUSD 1-minute bars, 2025-03-19/21), mapped to the symbol by a
 * fixed price divisor:
 *   priceQuote = recordedPriceUsd / priceDivisor
 *   volumeBase = recordedTurnoverBtc * priceDivisor   (so volumeBase * priceQuote is still the USD volume)
 *   turnoverQuote = recordedVolumeUsd
 * BTCUSDT uses divisor 1 (the BTCUSD prices as they are); ETHUSDT 31.3 (84,047.8 -> 2,685.23, an ETH-like
 * level); XRPUSDT 43,018.5, chosen so the last recorded close (84,047.8) maps to 1.95375, the mid of the
 * real XRPUSDT order book the fake serves (1.9537 / 1.9538). Any other linear symbol gets the BTCUSDT
 * mapping and rules. Instrument rules (tickSize, qtyStep, minOrderQty, minNotionalValue) are the issue's
 * documented values; BTCUSDT's are those of Bybit's own docs example.
 */

export type SymbolSpec = {
  symbol: string
  baseCoin: string
  priceDivisor: number
  tickSize: string
  qtyStep: string
  minOrderQty: string
  maxOrderQty: string
  maxMktOrderQty: string
  minNotionalValue: string
  maxPrice: string
  /** Bybit's `priceScale`: decimals of ticker prices. */
  priceScale: number
  symbolId: number
}

export const SYMBOL_SPECS: Readonly<Record<string, SymbolSpec>> = Object.freeze({
  BTCUSDT: { symbol: 'BTCUSDT', baseCoin: 'BTC', priceDivisor: 1, tickSize: '0.10', qtyStep: '0.001', minOrderQty: '0.001', maxOrderQty: '1190.000', maxMktOrderQty: '500.000', minNotionalValue: '5', maxPrice: '1999999.80', priceScale: 2, symbolId: 5 },
  ETHUSDT: { symbol: 'ETHUSDT', baseCoin: 'ETH', priceDivisor: 31.3, tickSize: '0.01', qtyStep: '0.01', minOrderQty: '0.01', maxOrderQty: '7240.00', maxMktOrderQty: '3620.00', minNotionalValue: '5', maxPrice: '199999.98', priceScale: 2, symbolId: 6 },
  XRPUSDT: { symbol: 'XRPUSDT', baseCoin: 'XRP', priceDivisor: 43018.5, tickSize: '0.0001', qtyStep: '1', minOrderQty: '1', maxOrderQty: '5000000', maxMktOrderQty: '1000000', minNotionalValue: '5', maxPrice: '199.9998', priceScale: 4, symbolId: 10 }
})

/** Instruments listed by /v5/market/instruments-info, in Bybit's (alphabetical) order. */
export const LISTED_SYMBOLS: readonly string[] = ['BTCUSDT', 'ETHUSDT', 'XRPUSDT']

/** The spec of a linear symbol; unknown symbols get BTCUSDT's mapping under their own name. */
export function specOf (symbol: string): SymbolSpec {
  const known = SYMBOL_SPECS[symbol]
  if (known !== undefined) return known
  return { ...SYMBOL_SPECS.BTCUSDT, symbol, baseCoin: symbol.replace(/USDT$/, ''), symbolId: 0 }
}

/** The inverse contract the recorded bars come from (volume = USD contracts, turnover = BTC). */
export const INVERSE_SYMBOL = 'BTCUSD'
/** Decimals of the recorded BTCUSD prices ("85824.2"). */
export const INVERSE_PRICE_DECIMALS = 1
