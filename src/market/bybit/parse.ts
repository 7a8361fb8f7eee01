/**
 * Pure functions turning Bybit v5 JSON (unknown) into our records (`../market-data.ts`). Numeric strings
 * become numbers once, here; a malformed value throws a BybitParseError whose `field` names it
 * (`result.list[3][4] (close)`). Shapes: Bybit v5 docs and ../shared/data/bybit-samples/SHAPES.md.
 * No I/O, no clock: the response time comes from the envelope.
 */
import {
  arrayAt, booleanAt, decimalAt, fail, integerAt, jsonIntegerAt, objectAt, optionalDecimalAt,
  optionalIntegerAt, stringAt
} from './parse-fields.js'
import type { Side } from '../../domain/units.js'
import type { Instrument, Kline, Level, Orderbook, Ticker, Trade } from '../market-data.js'
import { intervalEndMs } from './interval.js'
import { BYBIT_CATEGORIES, BYBIT_PATHS, type BybitCategory, type BybitInterval } from './wire.js'

/** A REST envelope: `ok` with its result and response time, or Bybit's error code and message. */
export type Envelope =
  | { ok: true, result: unknown, retMsg: string, timeMs: number }
  | { ok: false, retCode: number, retMsg: string }

/** Parses a response body as JSON. @throws BybitParseError (field `body`) when it is not JSON. */
export function parseJsonBody (text: string, endpoint: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    return fail(endpoint, 'body', `is not JSON (${(error as Error).message})`)
  }
}

/**
 * Reads `{ retCode, retMsg, result, retExtInfo, time }`; `retCode` and `time` must be JSON numbers
 * (ccxt-recorded fixtures stringify them and are rejected). `time` is required only on success.
 * @throws BybitParseError naming `retCode`, `retMsg`, `time` or `result`.
 */
export function parseEnvelope (json: unknown, endpoint: string): Envelope {
  const root = objectAt(json, endpoint, 'body')
  const retCode = jsonIntegerAt(root.retCode, endpoint, 'retCode')
  const retMsg = typeof root.retMsg === 'string' ? root.retMsg : fail(endpoint, 'retMsg', 'must be a string')
  if (retCode !== 0) return { ok: false, retCode, retMsg }
  const timeMs = jsonIntegerAt(root.time, endpoint, 'time')
  objectAt(root.result, endpoint, 'result')
  return { ok: true, result: root.result, retMsg, timeMs }
}

function categoryOf (node: Record<string, unknown>, fallback: BybitCategory | undefined, endpoint: string, path: string): BybitCategory {
  const value = node.category
  if ((BYBIT_CATEGORIES as readonly unknown[]).includes(value)) return value as BybitCategory
  if (value === undefined && fallback !== undefined) return fallback
  return fail(endpoint, `${path}.category`, `must be one of ${BYBIT_CATEGORIES.join(', ')} (got ${JSON.stringify(value)})`)
}

const KLINE_COLUMNS = ['startTime', 'open', 'high', 'low', 'close', 'volume', 'turnover'] as const

/**
 * Kline `result`: rows `[startTime, open, high, low, close, volume, turnover]` (strings, newest
 * first) become ascending Klines; the still-open candle (start + interval > responseTimeMs) is
 * dropped. Inverse: volumeBase = turnover (coin), turnoverQuote = volume (USD contracts).
 * @throws BybitParseError naming the row and column, e.g. `result.list[3][4] (close)`, or a duplicate startTime.
 */
export function parseKlineResult (
  result: unknown,
  options: { interval: BybitInterval, responseTimeMs: number, category?: BybitCategory },
  path = 'result'
): Kline[] {
  const endpoint = BYBIT_PATHS.kline
  const node = objectAt(result, endpoint, path)
  const category = categoryOf(node, options.category, endpoint, path)
  const rows = arrayAt(node.list, endpoint, `${path}.list`)
  const klines = rows.map((row, i): Kline => {
    const rowPath = `${path}.list[${i}]`
    const cells = arrayAt(row, endpoint, rowPath)
    if (cells.length !== KLINE_COLUMNS.length) fail(endpoint, rowPath, `must have ${KLINE_COLUMNS.length} columns (got ${cells.length})`)
    const at = (j: number): string => `${rowPath}[${j}] (${KLINE_COLUMNS[j]})`
    const openTimeMs = integerAt(cells[0], endpoint, at(0))
    const [open, high, low, close] = [1, 2, 3, 4].map((j) => decimalAt(cells[j], endpoint, at(j), 'positive'))
    const volume = decimalAt(cells[5], endpoint, at(5), 'nonNegative')
    const turnover = decimalAt(cells[6], endpoint, at(6), 'nonNegative')
    const inverse = category === 'inverse'
    return { openTimeMs, open, high, low, close, volumeBase: inverse ? turnover : volume, turnoverQuote: inverse ? volume : turnover }
  })
  const ascending = klines.map((k, i) => ({ k, i })).sort((x, y) => x.k.openTimeMs - y.k.openTimeMs)
  for (let j = 1; j < ascending.length; j++) {
    if (ascending[j].k.openTimeMs === ascending[j - 1].k.openTimeMs) fail(endpoint, `${path}.list[${ascending[j].i}][0] (startTime)`, `duplicates another row (${ascending[j].k.openTimeMs})`)
  }
  return ascending.map(({ k }) => k).filter((k) => intervalEndMs(k.openTimeMs, options.interval) <= options.responseTimeMs)
}

function parseLevels (value: unknown, category: BybitCategory, side: 'bid' | 'ask', endpoint: string, path: string): Level[] {
  const levels = arrayAt(value, endpoint, path).map((row, i): Level => {
    const cells = arrayAt(row, endpoint, `${path}[${i}]`)
    const priceQuote = decimalAt(cells[0], endpoint, `${path}[${i}][0] (price)`, 'positive')
    const sizeVenue = decimalAt(cells[1], endpoint, `${path}[${i}][1] (size)`, 'nonNegative')
    const sizeBase = category === 'inverse' ? sizeVenue / priceQuote : sizeVenue
    return { price: cells[0] as string, size: cells[1] as string, priceQuote, sizeBase }
  })
  for (let i = 1; i < levels.length; i++) {
    const ordered = side === 'bid' ? levels[i].priceQuote < levels[i - 1].priceQuote : levels[i].priceQuote > levels[i - 1].priceQuote
    if (!ordered) fail(endpoint, `${path}[${i}][0] (price)`, `must be strictly ${side === 'bid' ? 'below' : 'above'} the level before it`)
  }
  return levels
}

/**
 * Orderbook `result` `{ s, b, a, ts, u, seq?, cts? }` (fields by name; `seq`/`cts` optional).
 * @throws BybitParseError naming the field, e.g. `result.a[2][1] (size)`, or a level out of order.
 */
export function parseOrderbookResult (result: unknown, options: { category: BybitCategory }, path = 'result'): Orderbook {
  const endpoint = BYBIT_PATHS.orderbook
  const node = objectAt(result, endpoint, path)
  const book: Orderbook = {
    symbol: stringAt(node.s, endpoint, `${path}.s`),
    category: options.category,
    tsMs: integerAt(node.ts, endpoint, `${path}.ts`),
    updateId: integerAt(node.u, endpoint, `${path}.u`),
    bids: parseLevels(node.b, options.category, 'bid', endpoint, `${path}.b`),
    asks: parseLevels(node.a, options.category, 'ask', endpoint, `${path}.a`)
  }
  const seq = optionalIntegerAt(node.seq, endpoint, `${path}.seq`)
  if (seq !== undefined) book.seq = seq
  return book
}

/**
 * Tickers `result` `{ category, list }`; `""` (not applicable) becomes undefined. Inverse: volume24h
 * is USD and turnover24h coin, and sizes are contracts (converted with the level's price).
 * @throws BybitParseError naming the field, e.g. `result.list[0].bid1Price`.
 */
export function parseTickersResult (result: unknown, options: { responseTimeMs: number, category?: BybitCategory }, path = 'result'): Ticker[] {
  const endpoint = BYBIT_PATHS.tickers
  const node = objectAt(result, endpoint, path)
  const category = categoryOf(node, options.category, endpoint, path)
  const inverse = category === 'inverse'
  return arrayAt(node.list, endpoint, `${path}.list`).map((item, i): Ticker => {
    const p = `${path}.list[${i}]`
    const row = objectAt(item, endpoint, p)
    const num = (key: string, bound: 'any' | 'nonNegative' | 'positive' = 'nonNegative'): number | undefined =>
      optionalDecimalAt(row[key], endpoint, `${p}.${key}`, bound)
    const toBase = (size: number | undefined, price: number | undefined): number | undefined =>
      size === undefined ? undefined : inverse ? (price !== undefined && price > 0 ? size / price : undefined) : size
    const bidPriceQuote = num('bid1Price')
    const askPriceQuote = num('ask1Price')
    const volume24h = num('volume24h')
    const turnover24h = num('turnover24h')
    const ticker: Ticker = {
      symbol: stringAt(row.symbol, endpoint, `${p}.symbol`),
      category,
      tsMs: options.responseTimeMs,
      lastPriceQuote: num('lastPrice'),
      bidPriceQuote,
      bidSizeBase: toBase(num('bid1Size'), bidPriceQuote),
      askPriceQuote,
      askSizeBase: toBase(num('ask1Size'), askPriceQuote),
      markPriceQuote: num('markPrice'),
      indexPriceQuote: num('indexPrice'),
      price24hChange: num('price24hPcnt', 'any'),
      volume24hBase: inverse ? turnover24h : volume24h,
      turnover24hQuote: inverse ? volume24h : turnover24h,
      fundingRate: num('fundingRate', 'any')
    }
    for (const key of Object.keys(ticker) as Array<keyof Ticker>) if (ticker[key] === undefined) delete ticker[key]
    return ticker
  })
}

/**
 * Instruments-info `result` `{ category, list, nextPageCursor }`.
 * @throws BybitParseError naming the field, e.g. `result.list[0].lotSizeFilter.qtyStep`.
 */
export function parseInstrumentsResult (
  result: unknown,
  options: { category?: BybitCategory } = {},
  path = 'result'
): { instruments: Instrument[], nextPageCursor: string } {
  const endpoint = BYBIT_PATHS.instruments
  const node = objectAt(result, endpoint, path)
  const category = categoryOf(node, options.category, endpoint, path)
  const cursor = node.nextPageCursor ?? ''
  if (typeof cursor !== 'string') fail(endpoint, `${path}.nextPageCursor`, 'must be a string')
  const instruments = arrayAt(node.list, endpoint, `${path}.list`).map((item, i): Instrument => {
    const p = `${path}.list[${i}]`
    const row = objectAt(item, endpoint, p)
    const price = objectAt(row.priceFilter, endpoint, `${p}.priceFilter`)
    const lot = objectAt(row.lotSizeFilter, endpoint, `${p}.lotSizeFilter`)
    const stepKey = category === 'spot' ? 'basePrecision' : 'qtyStep'
    const notionalKey = category === 'spot' ? 'minOrderAmt' : 'minNotionalValue'
    const instrument: Instrument = {
      symbol: stringAt(row.symbol, endpoint, `${p}.symbol`),
      category,
      status: stringAt(row.status, endpoint, `${p}.status`),
      baseCoin: stringAt(row.baseCoin, endpoint, `${p}.baseCoin`),
      quoteCoin: stringAt(row.quoteCoin, endpoint, `${p}.quoteCoin`),
      qtyUnit: category === 'inverse' ? 'contracts' : 'base',
      tickSize: decimalAt(price.tickSize, endpoint, `${p}.priceFilter.tickSize`, 'positive'),
      tickSizeText: price.tickSize as string,
      qtyStep: decimalAt(lot[stepKey], endpoint, `${p}.lotSizeFilter.${stepKey}`, 'positive'),
      qtyStepText: lot[stepKey] as string,
      minOrderQty: decimalAt(lot.minOrderQty, endpoint, `${p}.lotSizeFilter.minOrderQty`, 'nonNegative'),
      maxOrderQty: decimalAt(lot.maxOrderQty, endpoint, `${p}.lotSizeFilter.maxOrderQty`, 'positive')
    }
    const optional = {
      minNotionalValue: optionalDecimalAt(lot[notionalKey], endpoint, `${p}.lotSizeFilter.${notionalKey}`, 'nonNegative'),
      minPriceQuote: optionalDecimalAt(price.minPrice, endpoint, `${p}.priceFilter.minPrice`, 'nonNegative'),
      maxPriceQuote: optionalDecimalAt(price.maxPrice, endpoint, `${p}.priceFilter.maxPrice`, 'positive')
    }
    for (const [key, value] of Object.entries(optional)) if (value !== undefined) instrument[key as keyof typeof optional] = value
    return instrument
  })
  return { instruments, nextPageCursor: cursor }
}

/** Bybit's taker side (`Buy` / `Sell`) as ours. */
function sideOf (value: unknown, endpoint: string, path: string): Side {
  if (value === 'Buy') return 'buy'
  if (value === 'Sell') return 'sell'
  return fail(endpoint, path, `must be "Buy" or "Sell" (got ${JSON.stringify(value)})`)
}

/** Sorts trades ascending by time, then sequence, keeping Bybit's order for ties. */
export function sortTradesAscending (trades: Trade[]): Trade[] {
  return trades.map((trade, i) => ({ trade, i }))
    .sort((x, y) => x.trade.tsMs - y.trade.tsMs || (x.trade.seq ?? 0) - (y.trade.seq ?? 0) || x.i - y.i)
    .map(({ trade }) => trade)
}

function makeTrade (fields: { tsMs: number, symbol: string, side: Side, size: number, priceQuote: number, id: string, seq?: number }, category: BybitCategory): Trade {
  const trade: Trade = {
    tsMs: fields.tsMs,
    symbol: fields.symbol,
    side: fields.side,
    sizeBase: category === 'inverse' ? fields.size / fields.priceQuote : fields.size,
    priceQuote: fields.priceQuote,
    id: fields.id
  }
  if (fields.seq !== undefined) trade.seq = fields.seq
  return trade
}

/**
 * Recent-trade `result` `{ category, list: [{ execId, symbol, price, size, side, time, ... }] }`
 * as Trades ascending by time (Bybit does not document the list order). `side` is the taker side.
 * @throws BybitParseError naming the field, e.g. `result.list[2].price`.
 */
export function parseRecentTradesResult (result: unknown, options: { category?: BybitCategory } = {}, path = 'result'): Trade[] {
  const endpoint = BYBIT_PATHS.recentTrade
  const node = objectAt(result, endpoint, path)
  const category = categoryOf(node, options.category, endpoint, path)
  const trades = arrayAt(node.list, endpoint, `${path}.list`).map((item, i) => {
    const p = `${path}.list[${i}]`
    const row = objectAt(item, endpoint, p)
    return makeTrade({
      tsMs: integerAt(row.time, endpoint, `${p}.time`),
      symbol: stringAt(row.symbol, endpoint, `${p}.symbol`),
      side: sideOf(row.side, endpoint, `${p}.side`),
      size: decimalAt(row.size, endpoint, `${p}.size`, 'positive'),
      priceQuote: decimalAt(row.price, endpoint, `${p}.price`, 'positive'),
      id: stringAt(row.execId, endpoint, `${p}.execId`),
      seq: optionalIntegerAt(row.seq, endpoint, `${p}.seq`)
    }, category)
  })
  return sortTradesAscending(trades)
}

/** A public-stream message: trades of a `publicTrade.<SYMBOL>` topic, an op answer, or anything else. */
export type WsMessage =
  | { kind: 'trades', symbol: string, tsMs: number, trades: Trade[] }
  | { kind: 'op', op: string, success: boolean, retMsg: string }
  | { kind: 'other' }

/**
 * Classifies one WebSocket message. `publicTrade` data `[{ T, s, S, v, p, i, BT, seq }]` become
 * Trades (`S` = taker side); `{ op, success, ret_msg }` (ping / subscribe answers) become `op`.
 * @throws BybitParseError (endpoint `ws`) naming the field, e.g. `data[0].p`.
 */
export function parseWsMessage (json: unknown, category: BybitCategory): WsMessage {
  const endpoint = 'ws'
  const root = objectAt(json, endpoint, 'message')
  if (typeof root.topic === 'string' && root.topic.startsWith('publicTrade.')) {
    const symbol = root.topic.slice('publicTrade.'.length)
    const trades = arrayAt(root.data, endpoint, 'data').map((item, i) => {
      const p = `data[${i}]`
      const row = objectAt(item, endpoint, p)
      return makeTrade({
        tsMs: integerAt(row.T, endpoint, `${p}.T`),
        symbol: stringAt(row.s, endpoint, `${p}.s`),
        side: sideOf(row.S, endpoint, `${p}.S`),
        size: decimalAt(row.v, endpoint, `${p}.v`, 'positive'),
        priceQuote: decimalAt(row.p, endpoint, `${p}.p`, 'positive'),
        id: stringAt(row.i, endpoint, `${p}.i`),
        seq: optionalIntegerAt(row.seq, endpoint, `${p}.seq`)
      }, category)
    })
    return { kind: 'trades', symbol, tsMs: integerAt(root.ts, endpoint, 'ts'), trades: sortTradesAscending(trades) }
  }
  if (typeof root.op === 'string') {
    const success = root.success === undefined ? root.op === 'pong' : booleanAt(root.success, endpoint, 'success')
    return { kind: 'op', op: root.op, success, retMsg: typeof root.ret_msg === 'string' ? root.ret_msg : '' }
  }
  return { kind: 'other' }
}
