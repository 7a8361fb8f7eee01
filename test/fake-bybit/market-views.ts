/**
 * GET /v5/market/tickers, /v5/market/orderbook and /v5/market/instruments-info of the fake Bybit.
 *
 * Order book: XRPUSDT is the real orderbook.500 recording (snapshot + 49 deltas applied), prices and
 * sizes as recorded. Every other linear symbol gets the real ccxt-captured BTCUSDT book (2 levels a
 * side, 2024-02-01) re-centred on the current mid = the latest bar's close in the symbol's units:
 * each price keeps its relative distance from the recorded mid (42,546.35), bids rounded down and
 * asks up to the tick; sizes are the recorded BTC sizes times the symbol's price divisor (the same
 * notional), rounded to qtyStep. Tickers take lastPrice/mark/index from the latest close and
 * bid1/ask1 (price and size) from that book, so the two endpoints agree; ticker prices carry the
 * instrument's priceScale decimals ("84044.50"), book prices drop trailing zeros ("84044.5").
 */
import { MINUTE_MS, type Level, type RecordedData } from './recorded-data.js'
import { INVERSE_SYMBOL, specOf, SYMBOL_SPECS, LISTED_SYMBOLS, type SymbolSpec } from './symbols.js'
import { aggregateMinutes, minuteBarAt, minuteStart } from './klines.js'
import { ceilToTick, decimalsOf, floorToTick, formatPadded, formatTrimmed } from './format.js'
import { VenueParamsError, categoryParam, intParam, symbolParam, type Query } from './params.js'

const DAY_MINUTES = 1440
const FUNDING_INTERVAL_MS = 8 * 60 * MINUTE_MS

export type BookView = { bids: Level[], asks: Level[], u: number, seq: number }

/** Start of the minute containing nowMs, clamped to the first recorded minute. */
function openMinuteOf (data: RecordedData, nowMs: number): number {
  return Math.max(minuteStart(nowMs), data.bars[0].startMs)
}

/** The latest close in the symbol's quote units at nowMs. */
export function lastPriceQuote (data: RecordedData, symbol: string, nowMs: number): number {
  return minuteBarAt(data.bars, openMinuteOf(data, nowMs)).close / specOf(symbol).priceDivisor
}

function recentredLevels (levels: readonly Level[], recordedMid: number, midQuote: number, spec: SymbolSpec, side: 'bid' | 'ask'): Level[] {
  const tick = Number(spec.tickSize)
  const priceDecimals = decimalsOf(tick)
  const qtyStep = Number(spec.qtyStep)
  const out: Level[] = []
  let previousPrice: number | undefined
  for (const [priceText, sizeText] of levels) {
    const raw = midQuote * Number(priceText) / recordedMid
    const price = side === 'bid' ? floorToTick(raw, tick) : ceilToTick(raw, tick)
    const sizeBase = spec.priceDivisor === 1 ? Number(sizeText) : Math.max(qtyStep, floorToTick(Number(sizeText) * spec.priceDivisor, qtyStep))
    const size = spec.priceDivisor === 1 ? sizeText : formatPadded(sizeBase, decimalsOf(qtyStep))
    if (previousPrice !== undefined && Math.abs(price - previousPrice) < tick / 2) {
      const last = out[out.length - 1]
      last[1] = formatPadded(Number(last[1]) + sizeBase, decimalsOf(qtyStep))
      continue
    }
    out.push([formatTrimmed(price, priceDecimals), size])
    previousPrice = price
  }
  return out
}

/** The full book of `symbol` at nowMs (see the file comment). */
export function bookOf (data: RecordedData, symbol: string, nowMs: number): BookView {
  if (symbol === 'XRPUSDT') return data.xrpBook
  const spec = specOf(symbol)
  const recorded = data.btcBook
  const recordedMid = (Number(recorded.bids[0][0]) + Number(recorded.asks[0][0])) / 2
  const midQuote = lastPriceQuote(data, symbol, nowMs)
  return {
    bids: recentredLevels(recorded.bids, recordedMid, midQuote, spec, 'bid'),
    asks: recentredLevels(recorded.asks, recordedMid, midQuote, spec, 'ask'),
    u: recorded.u,
    seq: recorded.seq
  }
}

/**
 * The inverse BTCUSD book at nowMs: the BTCUSDT book above (same prices: the recorded bars are BTCUSD's)
 * with each level's size in USD contracts of 1 USD face, `round(sizeBtc * price)` (at least 1), as Bybit
 * counts inverse sizes (integer strings, e.g. "9854" in its inverse tickers example).
 */
export function inverseBookOf (data: RecordedData, nowMs: number): BookView {
  const linear = bookOf(data, 'BTCUSDT', nowMs)
  const contracts = (levels: Level[]): Level[] => levels.map(([price, size]) => [price, String(Math.max(1, Math.round(Number(size) * Number(price))))])
  return { ...linear, bids: contracts(linear.bids), asks: contracts(linear.asks) }
}

/**
 * The `result` of GET /v5/market/orderbook (linear, or inverse for BTCUSD; limit 1..1000 per side, default 25).
 * `ts` and `cts` are the fake's clock; `u` and `seq` are the recorded ids plus `updateCount`.
 * @throws {VenueParamsError} on a bad category, symbol or limit.
 */
export function orderbookResult (data: RecordedData, query: Query, nowMs: number, updateCount: number): Record<string, unknown> {
  const category = categoryParam(query, ['linear', 'inverse'] as const)
  const symbol = symbolParam(query)
  const limit = intParam(query, 'limit', 1, 1000, 25)
  if (category === 'inverse' && symbol !== INVERSE_SYMBOL) throw new VenueParamsError(`symbol "${symbol}" is not an inverse contract here (only ${INVERSE_SYMBOL})`)
  const book = category === 'inverse' ? inverseBookOf(data, nowMs) : bookOf(data, symbol, nowMs)
  return { s: symbol, b: book.bids.slice(0, limit), a: book.asks.slice(0, limit), ts: nowMs, u: book.u + updateCount, seq: book.seq + updateCount, cts: nowMs }
}

/**
 * One linear ticker item, in the field order of the ccxt capture plus the fields current docs add.
 * 24 h figures come from the 1,440 minute bars ending with the open one (volume base, turnover quote).
 */
export function tickerItem (data: RecordedData, symbol: string, nowMs: number): Record<string, string> {
  const spec = specOf(symbol)
  const openMinute = openMinuteOf(data, nowMs)
  const dayFrom = Math.max(openMinute - (DAY_MINUTES - 1) * MINUTE_MS, data.bars[0].startMs)
  const day = aggregateMinutes(data.bars, dayFrom, dayFrom, openMinute)
  const hourAgo = minuteBarAt(data.bars, Math.max(openMinute - 60 * MINUTE_MS, data.bars[0].startMs))
  const price = (usd: number): string => (usd / spec.priceDivisor).toFixed(spec.priceScale)
  const book = bookOf(data, symbol, nowMs)
  const nextFundingMs = (Math.floor(nowMs / FUNDING_INTERVAL_MS) + 1) * FUNDING_INTERVAL_MS
  return {
    symbol,
    lastPrice: price(day.close),
    indexPrice: price(day.close),
    markPrice: price(day.close),
    prevPrice24h: price(day.open),
    price24hPcnt: (day.close / day.open - 1).toFixed(6),
    highPrice24h: price(day.high),
    lowPrice24h: price(day.low),
    prevPrice1h: price(hourAgo.open),
    openInterest: '0',
    openInterestValue: '0.00',
    turnover24h: day.volumeUsd.toFixed(4),
    volume24h: (day.turnoverBtc * spec.priceDivisor).toFixed(4),
    fundingRate: '0.0001',
    nextFundingTime: String(nextFundingMs),
    predictedDeliveryPrice: '',
    basisRate: '',
    deliveryFeeRate: '',
    deliveryTime: '0',
    ask1Size: book.asks[0][1],
    bid1Price: Number(book.bids[0][0]).toFixed(spec.priceScale),
    ask1Price: Number(book.asks[0][0]).toFixed(spec.priceScale),
    bid1Size: book.bids[0][1],
    basis: '',
    preOpenPrice: '',
    preQty: '',
    curPreListingPhase: '',
    fundingIntervalHour: '8',
    basisRateYear: '',
    fundingCap: '0.005'
  }
}

/**
 * The `result` of GET /v5/market/tickers (linear; one symbol, or every listed symbol when none is given).
 * @throws {VenueParamsError} on a bad category.
 */
export function tickersResult (data: RecordedData, query: Query, nowMs: number): Record<string, unknown> {
  categoryParam(query, ['linear'] as const)
  const symbols = query.symbol !== undefined && query.symbol !== '' ? [query.symbol] : LISTED_SYMBOLS
  return { category: 'linear', list: symbols.map((symbol) => tickerItem(data, symbol, nowMs)) }
}

/** One instruments-info item: Bybit's docs example for BTCUSDT with the symbol's own rules. */
export function instrumentItem (template: Record<string, unknown>, spec: SymbolSpec): Record<string, unknown> {
  const item = structuredClone(template)
  return {
    ...item,
    symbol: spec.symbol,
    symbolId: spec.symbolId,
    baseCoin: spec.baseCoin,
    priceScale: String(spec.priceScale),
    priceFilter: { minPrice: spec.tickSize, maxPrice: spec.maxPrice, tickSize: spec.tickSize },
    lotSizeFilter: {
      maxOrderQty: spec.maxOrderQty,
      minOrderQty: spec.minOrderQty,
      qtyStep: spec.qtyStep,
      postOnlyMaxOrderQty: spec.maxOrderQty,
      maxMktOrderQty: spec.maxMktOrderQty,
      minNotionalValue: spec.minNotionalValue
    }
  }
}

/** Opaque page cursor: base64url of "offset=N". */
export function encodeCursor (offset: number): string {
  return Buffer.from(`offset=${offset}`).toString('base64url')
}

function decodeCursor (cursor: string | undefined): number {
  if (cursor === undefined || cursor === '') return 0
  const match = /^offset=(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (match === null) throw new VenueParamsError(`cursor "${cursor}" is invalid`)
  return Number(match[1])
}

/**
 * The `result` of GET /v5/market/instruments-info (linear; symbol filter, limit 1..1000 default 500,
 * cursor paging; `nextPageCursor` is "" on the last page). An unknown symbol gives an empty list.
 * @throws {VenueParamsError} on a bad category, limit or cursor.
 */
export function instrumentsResult (data: RecordedData, query: Query): Record<string, unknown> {
  categoryParam(query, ['linear'] as const)
  const limit = intParam(query, 'limit', 1, 1000, 500)
  const offset = decodeCursor(query.cursor)
  const symbol = query.symbol
  const symbols = symbol !== undefined && symbol !== '' ? LISTED_SYMBOLS.filter((s) => s === symbol) : LISTED_SYMBOLS
  const page = symbols.slice(offset, offset + limit)
  const nextPageCursor = offset + limit < symbols.length ? encodeCursor(offset + limit) : ''
  return { category: 'linear', list: page.map((s) => instrumentItem(data.instrumentTemplate, SYMBOL_SPECS[s])), nextPageCursor }
}
