/**
 * Bybit v5 public market-data wire shapes, field names exactly as Bybit sends them. Bybit names
 * live only in this file; `parse.ts` turns them into ours. Prices and sizes are decimal strings,
 * `retCode` and `time` (ms) are JSON numbers. Sources: Bybit v5 docs (market/kline, orderbook,
 * recent-trade, tickers, instrument; websocket/public/trade) and the captures summarised in
 * ../shared/data/bybit-samples/SHAPES.md.
 */

/** Product category (query parameter `category`). */
export type BybitCategory = 'linear' | 'inverse' | 'spot'
export const BYBIT_CATEGORIES: readonly BybitCategory[] = ['linear', 'inverse', 'spot']

/** Kline intervals Bybit accepts: minutes, or D / W / M. */
export type BybitInterval = '1' | '3' | '5' | '15' | '30' | '60' | '120' | '240' | '360' | '720' | 'D' | 'W' | 'M'
export const BYBIT_INTERVALS: readonly BybitInterval[] = ['1', '3', '5', '15', '30', '60', '120', '240', '360', '720', 'D', 'W', 'M']

/** REST paths. */
export const BYBIT_PATHS = {
  kline: '/v5/market/kline',
  tickers: '/v5/market/tickers',
  orderbook: '/v5/market/orderbook',
  instruments: '/v5/market/instruments-info',
  recentTrade: '/v5/market/recent-trade'
} as const

/** Response header: ms timestamp when the rate limit resets (the current time when not exceeded). */
export const HEADER_LIMIT_RESET_TIMESTAMP = 'x-bapi-limit-reset-timestamp'

/** Every REST response. */
export interface WireEnvelope<R> {
  retCode: number
  retMsg: string
  result: R
  retExtInfo: Record<string, unknown>
  time: number
}

/** `[startTime(ms), open, high, low, close, volume, turnover]`, all strings, newest first. */
export type WireKlineRow = [string, string, string, string, string, string, string]

export interface WireKlineResult {
  symbol: string
  category: BybitCategory
  list: WireKlineRow[]
}

/** `[price, size]` */
export type WireLevel = [string, string]

export interface WireOrderbookResult {
  s: string
  /** bids, price descending */
  b: WireLevel[]
  /** asks, price ascending */
  a: WireLevel[]
  ts: number
  u: number
  seq?: number
  cts?: number
}

export interface WireTicker {
  symbol: string
  lastPrice: string
  bid1Price?: string
  bid1Size?: string
  ask1Price?: string
  ask1Size?: string
  markPrice?: string
  indexPrice?: string
  prevPrice24h?: string
  price24hPcnt?: string
  highPrice24h?: string
  lowPrice24h?: string
  volume24h?: string
  turnover24h?: string
  openInterest?: string
  fundingRate?: string
  nextFundingTime?: string
}

export interface WireTickersResult {
  category: BybitCategory
  list: WireTicker[]
}

export interface WireInstrument {
  symbol: string
  status: string
  baseCoin: string
  quoteCoin: string
  contractType?: string
  priceFilter: { tickSize: string, minPrice?: string, maxPrice?: string }
  lotSizeFilter: {
    minOrderQty: string
    maxOrderQty: string
    /** linear / inverse */
    qtyStep?: string
    /** linear / inverse, quote */
    minNotionalValue?: string
    maxMktOrderQty?: string
    /** spot: the quantity step */
    basePrecision?: string
    /** spot: minimum order value, quote */
    minOrderAmt?: string
  }
}

export interface WireInstrumentsResult {
  category: BybitCategory
  list: WireInstrument[]
  /** "" when there are no more pages */
  nextPageCursor: string
}

export interface WireRecentTrade {
  execId: string
  symbol: string
  price: string
  size: string
  /** taker side */
  side: 'Buy' | 'Sell'
  /** ms, as a string */
  time: string
  isBlockTrade: boolean
  isRPITrade?: boolean
  seq?: string
}

export interface WireRecentTradeResult {
  category: BybitCategory
  list: WireRecentTrade[]
}

/** One trade of a `publicTrade.<SYMBOL>` WebSocket message. */
export interface WireWsTrade {
  /** trade time, ms */
  T: number
  s: string
  /** taker side */
  S: 'Buy' | 'Sell'
  /** size */
  v: string
  /** price */
  p: string
  /** tick direction */
  L?: string
  /** trade id */
  i: string
  /** block trade */
  BT: boolean
  seq?: number
}

export interface WireWsTradeMessage {
  topic: string
  type: 'snapshot'
  ts: number
  data: WireWsTrade[]
}

/** Requests the client sends on the public stream. */
export interface WireWsRequest {
  op: 'ping' | 'subscribe' | 'unsubscribe'
  args?: string[]
  req_id?: string
}

/** Answer to a ping or subscribe (`op` echoes the request; spot answers a ping with `op: "pong"`). */
export interface WireWsOpResponse {
  success?: boolean
  ret_msg?: string
  conn_id?: string
  req_id?: string
  op: string
}

/** Topic of the public trade stream for `symbol`. */
export function publicTradeTopic (symbol: string): string {
  return `publicTrade.${symbol}`
}
