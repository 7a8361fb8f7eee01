/**
 * Trades of the fake Bybit: the recorded Binance USD-M tape as a default, the trades a test pushes,
 * and GET /v5/market/recent-trade over them.
 *
 * loadRecordedTape reads binance-hftbacktest-l2-trades/trades.csv.gz through scripts/lib/readers.ts
 * (INSURANCE_FUND prints removed; aggressor side = taker side -> "Buy"/"Sell"), keeps one USD-M
 * session of the symbol (default: the longest, 2024-08-08 23:54-00:00 UTC), shifts every timestamp
 * by the same amount so the last trade lands on `nowMs`, and, when `anchorPriceQuote` is given,
 * multiplies every price by anchor / last recorded price and rounds it to `tickSize` (relative price
 * moves and the real aggressor flags are kept; sizes are as recorded).
 */
import path from 'node:path'
import { resolveDataDir } from '../../scripts/lib/data-dir.js'
import { readTapeTrades, type TapeTrade } from '../../scripts/lib/readers.js'
import { DATA_PATHS } from './recorded-data.js'
import { specOf } from './symbols.js'
import { decimalsOf, formatPadded } from './format.js'
import { categoryParam, intParam, symbolParam, type Query } from './params.js'

/** A trade as a test pushes it (taker side). */
export type PushedTrade = { tsMs: number, side: 'Buy' | 'Sell', sizeBase: number, priceQuote: number, id?: string }

export type RecordedTapeOptions = {
  /** The tape is shifted so its last trade is at nowMs. */
  nowMs: number
  /** A session id of trades.csv.gz (default: the symbol's longest USD-M session). */
  session?: string
  /** Rescale prices so the last trade is at this price (default: prices as recorded). */
  anchorPriceQuote?: number
  /** Tick for rescaled prices (default: the symbol's tickSize in symbols.ts). */
  tickSize?: number
  dataDir?: string
}

let cachedTape: Promise<TapeTrade[]> | undefined

function readTapeOnce (dataDir: string): Promise<TapeTrade[]> {
  if (cachedTape === undefined) {
    cachedTape = readTapeTrades(path.join(dataDir, DATA_PATHS.trades))
    cachedTape.catch(() => { cachedTape = undefined })
  }
  return cachedTape
}

/**
 * The recorded Binance USD-M trades of `symbol` (BTCUSDT or ETHUSDT) rebased to end at `nowMs`,
 * oldest first, ready for `FakeBybit.pushTrades`.
 * @throws {Error} when the symbol or session has no USD-M trades.
 */
export async function loadRecordedTape (symbol: string, options: RecordedTapeOptions): Promise<PushedTrade[]> {
  const all = await readTapeOnce(options.dataDir ?? resolveDataDir())
  const ofSymbol = all.filter((trade) => trade.market === 'usdm' && trade.symbol === symbol)
  const counts = new Map<string, number>()
  for (const trade of ofSymbol) counts.set(trade.session, (counts.get(trade.session) ?? 0) + 1)
  const session = options.session ?? [...counts].sort((x, y) => y[1] - x[1])[0]?.[0]
  const trades = ofSymbol.filter((trade) => trade.session === session)
  if (trades.length === 0) throw new Error(`loadRecordedTape: no USD-M trades for ${symbol}${options.session !== undefined ? ` in session ${options.session}` : ''}`)
  const last = trades[trades.length - 1]
  const shiftMs = options.nowMs - last.tradeTimeMs
  const tick = options.tickSize ?? Number(specOf(symbol).tickSize)
  const scale = options.anchorPriceQuote !== undefined ? options.anchorPriceQuote / last.priceQuote : undefined
  return trades.map((trade, i): PushedTrade => ({
    tsMs: trade.tradeTimeMs + shiftMs,
    side: trade.aggressorSide === 'buy' ? 'Buy' : 'Sell',
    sizeBase: trade.qtyBase,
    priceQuote: scale === undefined ? trade.priceQuote : Number((Math.round(trade.priceQuote * scale / tick) * tick).toFixed(decimalsOf(tick))),
    id: tradeUuid(i + 1)
  }))
}

/** A deterministic UUID-shaped execId (Bybit linear trade ids are UUIDs); `variant` keeps id families apart. */
export function tradeUuid (n: number, variant: '8' | '9' = '8'): string {
  const hex = n.toString(16).padStart(12, '0').slice(-12)
  return `00000000-0000-4000-${variant}000-${hex}`
}

/** A trade as stored and sent: the pushed fields plus Bybit's sequence and tick direction. */
export type StoredTrade = { tsMs: number, side: 'Buy' | 'Sell', sizeBase: number, priceQuote: number, id: string, seq: number, tickDirection: string }

/** Trades kept per symbol (the maximum recent-trade limit). */
export const MAX_STORED_TRADES = 1000

/**
 * Per-symbol trade memory, bounded to the last MAX_STORED_TRADES. The first push for a symbol
 * replaces the default tape; later pushes append.
 */
export class TradeStore {
  private readonly bySymbol = new Map<string, StoredTrade[]>()
  private readonly pushed = new Set<string>()
  private nextSeq = 1_000_000
  private nextId = 1

  hasPushed (symbol: string): boolean {
    return this.pushed.has(symbol)
  }

  has (symbol: string): boolean {
    return this.bySymbol.has(symbol)
  }

  /** Appends trades; `fromPush` marks the symbol as test-driven (drops the default tape first). */
  add (symbol: string, trades: readonly PushedTrade[], fromPush: boolean): StoredTrade[] {
    if (fromPush && !this.pushed.has(symbol)) {
      this.pushed.add(symbol)
      this.bySymbol.delete(symbol)
    }
    const list = this.bySymbol.get(symbol) ?? []
    const added: StoredTrade[] = []
    let previousPrice = list.length > 0 ? list[list.length - 1].priceQuote : undefined
    let previousDirection = list.length > 0 ? list[list.length - 1].tickDirection : 'ZeroPlusTick'
    for (const trade of trades) {
      let tickDirection = previousDirection.endsWith('PlusTick') ? 'ZeroPlusTick' : 'ZeroMinusTick'
      if (previousPrice !== undefined && trade.priceQuote > previousPrice) tickDirection = 'PlusTick'
      if (previousPrice !== undefined && trade.priceQuote < previousPrice) tickDirection = 'MinusTick'
      const stored: StoredTrade = { ...trade, id: trade.id ?? tradeUuid(this.nextId++, '9'), seq: this.nextSeq++, tickDirection }
      added.push(stored)
      previousPrice = trade.priceQuote
      previousDirection = tickDirection
    }
    list.push(...added)
    if (list.length > MAX_STORED_TRADES) list.splice(0, list.length - MAX_STORED_TRADES)
    this.bySymbol.set(symbol, list)
    return added
  }

  /** Newest first, at most `limit`. */
  latest (symbol: string, limit: number): StoredTrade[] {
    return (this.bySymbol.get(symbol) ?? []).slice(-limit).reverse()
  }
}

/** Price and size strings of a trade: price with the priceScale decimals ("84000.50"), size with qtyStep's ("0.001"). */
export function tradeStrings (symbol: string, trade: StoredTrade): { price: string, size: string } {
  const spec = specOf(symbol)
  return { price: formatPadded(trade.priceQuote, spec.priceScale), size: formatPadded(trade.sizeBase, decimalsOf(Number(spec.qtyStep))) }
}

/** One recent-trade item (field order of Bybit's docs example; isRPITrade and seq as the docs add them). */
export function recentTradeItem (symbol: string, trade: StoredTrade): Record<string, unknown> {
  const { price, size } = tradeStrings(symbol, trade)
  return { execId: trade.id, symbol, price, size, side: trade.side, time: String(trade.tsMs), isBlockTrade: false, isRPITrade: false, seq: String(trade.seq) }
}

/** Parameters of GET /v5/market/recent-trade (linear; limit 1..1000, default 500). */
export function recentTradeParams (query: Query): { symbol: string, limit: number } {
  categoryParam(query, ['linear'] as const)
  return { symbol: symbolParam(query), limit: intParam(query, 'limit', 1, 1000, 500) }
}
