/**
 * Venue-neutral market data: the records the service reads (klines, tickers, instrument rules,
 * order books, trades, the trade tape's state) and `MarketDataSource`, the calls it makes to get
 * them. A venue is one implementation: `bybit/` (BybitClient, TradeTape) turns its wire shapes
 * into these records once, at the edge. Numbers carry their units in their names; sizes are in
 * base units whatever the category (a venue that counts contracts converts with the row's price).
 */
import type { MinuteBar } from '../domain/impact/minute-bars.js'
import type { Trade as TapePrint } from '../domain/impact/tape-samples.js'
import type { Category } from './market-state.js'

/** Kline intervals: minutes, or D / W / M (a day, a week from Monday 00:00 UTC, a calendar month UTC). */
export type KlineInterval = '1' | '3' | '5' | '15' | '30' | '60' | '120' | '240' | '360' | '720' | 'D' | 'W' | 'M'

/** One closed candle: the domain's MinuteBar fields (so a 1-minute kline is a MinuteBar) and its quote turnover. */
export interface Kline extends Omit<MinuteBar, 'takerBuyBase'> {
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
 * One price level. `price` and `size` keep the venue's decimal strings for exact arithmetic; `size`
 * is in the venue's quantity unit (base coin for linear/spot, USD contracts for inverse),
 * `sizeBase` is always base units (inverse: contracts / price, a float).
 */
export interface Level {
  price: string
  size: string
  priceQuote: number
  sizeBase: number
}

/** Order-book snapshot; bids price-descending, asks price-ascending. */
export interface Orderbook {
  symbol: string
  category: Category
  tsMs: number
  updateId: number
  seq?: number
  bids: Level[]
  asks: Level[]
}

/** Top of book and 24 h figures; `tsMs` is the response time (tickers carry none). */
export interface Ticker {
  symbol: string
  category: Category
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
 * Trading rules of one instrument. Quantities are in the venue's order-quantity unit `qtyUnit`:
 * base coin for linear and spot, USD contracts for inverse. `tickSizeText`/`qtyStepText` keep the
 * venue's strings for exact rounding.
 */
export interface Instrument {
  symbol: string
  category: Category
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
  /** minimum order value, quote; undefined when the venue gives none */
  minNotionalValue?: number
  minPriceQuote?: number
  maxPriceQuote?: number
}

/** One public trade: the domain's tape print (`side` = the TAKER side) with its symbol and the venue's ids. */
export interface Trade extends TapePrint {
  symbol: string
  id: string
  seq?: number
}

export interface KlinesQuery {
  category: Category
  symbol: string
  interval: KlineInterval
  startMs?: number
  endMs?: number
  limit?: number
}

export interface KlineHistoryQuery {
  category: Category
  symbol: string
  interval: KlineInterval
  bars: number
  endMs?: number
}

export interface TickersQuery {
  category: Category
  symbol?: string
}

export interface OrderbookQuery {
  category: Category
  symbol: string
  /** levels a side */
  limit?: number
}

export interface InstrumentsQuery {
  category: Category
  symbol?: string
  /** page size */
  limit?: number
}

export interface RecentTradesQuery {
  category: Category
  symbol: string
  limit?: number
}

/**
 * Public market data of one venue. Every call throws the venue's typed error when the venue cannot
 * answer (after its retries), and TypeError / RangeError for bad arguments.
 */
export interface MarketDataSource {
  /** One kline request: closed candles, ascending (the open one dropped). */
  getKlines: (query: KlinesQuery) => Promise<Kline[]>
  /** The latest `bars` closed candles ending at `endMs` (default now), ascending, with the gaps found. */
  getKlineHistory: (query: KlineHistoryQuery) => Promise<KlineHistory>
  /** Tickers of the category, or of one symbol. */
  getTickers: (query: TickersQuery) => Promise<Ticker[]>
  /** Order-book snapshot, `limit` levels a side. */
  getOrderbook: (query: OrderbookQuery) => Promise<Orderbook>
  /** Instruments of the category, or one symbol, every page. */
  getInstruments: (query: InstrumentsQuery) => Promise<Instrument[]>
  /** Latest public trades, ascending; `side` is the taker side. */
  getRecentTrades: (query: RecentTradesQuery) => Promise<Trade[]>
}

/** Connection and buffer state of a public trade feed. */
export interface TapeState {
  connected: boolean
  /** connections opened after the first one */
  reconnects: number
  /** connection attempts that failed before opening */
  connectFailures: number
  /** gaps a refill could not prove closed */
  unfilledGaps: number
  lastMessageMs?: number
  tradesBySymbol: Record<string, number>
}

/** A venue's public trade stream, kept per symbol: what the service reads from it. */
export interface TradeFeed {
  /** Trades of `symbol` with sinceMs <= tsMs < untilMs, ascending (a copy). @throws RangeError when the symbol is not on the feed. */
  trades: (symbol: string, sinceMs?: number, untilMs?: number) => Trade[]
  state: () => TapeState
}
