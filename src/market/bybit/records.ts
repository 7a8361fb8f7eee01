/**
 * Our typed market-data records, produced by `parse.ts` from Bybit's wire shapes. Numbers carry
 * their units in their names; sizes are always in base units whatever the category (for inverse
 * contracts Bybit counts USD contracts, converted here with the row's own price).
 */
import type { BybitCategory } from './wire.js'

/** Taker side of a trade. */
export type TradeSide = 'buy' | 'sell'

/** One closed candle. For inverse, Bybit's `turnover` (coin) is volumeBase and `volume` (USD) is turnoverQuote. */
export interface Kline {
  startMs: number
  open: number
  high: number
  low: number
  close: number
  volumeBase: number
  turnoverQuote: number
}

/** A bar-count hole found while paging klines: `missingBars` bars absent after the bar at `afterMs`. */
export interface KlineGap {
  afterMs: number
  missingBars: number
}

/** Klines collected by paging backwards, ascending, with the holes found in them. */
export interface KlineHistory {
  klines: Kline[]
  gaps: KlineGap[]
}

/**
 * One price level. `price` and `size` keep Bybit's decimal strings for exact arithmetic; `size` is
 * in Bybit's quantity unit (base coin for linear/spot, USD contracts for inverse), `sizeBase` is
 * always base units (inverse: contracts / price, a float).
 */
export interface Level {
  price: string
  size: string
  priceQuote: number
  sizeBase: number
}

/** REST order-book snapshot; bids price-descending, asks price-ascending. */
export interface Orderbook {
  symbol: string
  category: BybitCategory
  tsMs: number
  updateId: number
  seq?: number
  bids: Level[]
  asks: Level[]
}

/** Top of book and 24 h figures; `tsMs` is the response time (tickers carry none). */
export interface Ticker {
  symbol: string
  category: BybitCategory
  tsMs: number
  lastPriceQuote?: number
  bidPriceQuote?: number
  bidSizeBase?: number
  askPriceQuote?: number
  askSizeBase?: number
  markPriceQuote?: number
  indexPriceQuote?: number
  /** 24 h change as a fraction (0.0259 = +2.59 %) */
  price24hChange?: number
  volume24hBase?: number
  turnover24hQuote?: number
  /** funding rate per funding interval, fraction */
  fundingRate?: number
}

/**
 * Trading rules of one instrument. Quantities are in Bybit's order-quantity unit `qtyUnit`: base
 * coin for linear and spot, USD contracts for inverse. `tickSizeText`/`qtyStepText` keep Bybit's
 * strings for exact rounding. For spot, qtyStep is `basePrecision` and minNotionalValue `minOrderAmt`.
 */
export interface Instrument {
  symbol: string
  category: BybitCategory
  status: string
  baseCoin: string
  quoteCoin: string
  qtyUnit: 'base' | 'contracts'
  tickSize: number
  tickSizeText: string
  qtyStep: number
  qtyStepText: string
  minOrderQty: number
  maxOrderQty: number
  /** minimum order value, quote; undefined when Bybit gives none */
  minNotionalValue?: number
  minPriceQuote?: number
  maxPriceQuote?: number
}

/** One public trade; `side` is the TAKER side. */
export interface Trade {
  tsMs: number
  symbol: string
  side: TradeSide
  sizeBase: number
  priceQuote: number
  id: string
  seq?: number
}
