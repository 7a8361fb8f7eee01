/**
 * Pure functions turning Bybit v5 JSON (unknown) into our records (`../market-data.ts`): each
 * checks the value against its wire schema (`wire.ts`), then converts numeric strings to numbers
 * once, here, and maps Bybit's names and units to ours (taker side `Buy`/`Sell` -> `buy`/`sell`,
 * inverse contracts -> base units). A malformed value throws a BybitParseError whose `field` names
 * it (`result.list[3][4] (close)`). Shapes: Bybit v5 docs and ../shared/data/bybit-samples/SHAPES.md.
 * No I/O, no clock: the response time comes from the envelope.
 */
import type { Side } from '../../domain/units.js'
import type { Instrument, Kline, Level, Orderbook, Ticker, Trade } from '../market-data.js'
import { intervalEndMs } from './interval.js'
import {
  BYBIT_CATEGORIES, BYBIT_PATHS, WireEnvelopeHead, WireEnvelopeOk, WireInstrumentList, WireInstrumentsResult, WireKlineResult,
  WireOrderbookResult, WireRecentTradeResult, WireSpotInstrumentList, WireTickersResult, WireWsMessage, WireWsOpResponse,
  WireWsTradeMessage, type BybitCategory, type BybitInterval, type WireLevel, type WireTicker
} from './wire.js'
import { at, checkWire, decimalAt, fail, integerAt, optionalDecimalAt, optionalIntegerAt } from './wire-check.js'

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
  const where = { root: 'body', prefix: '' }
  const head = checkWire(WireEnvelopeHead, json, endpoint, where)
  if (head.retCode !== 0) return { ok: false, retCode: head.retCode, retMsg: head.retMsg }
  const ok = checkWire(WireEnvelopeOk, json, endpoint, where)
  return { ok: true, result: ok.result, retMsg: head.retMsg, timeMs: ok.time }
}

/** The result's own category, else the one asked for. */
function categoryOf (category: BybitCategory | undefined, fallback: BybitCategory | undefined, endpoint: string, path: string): BybitCategory {
  return category ?? fallback ?? fail(endpoint, `${path}.category`, `must be one of ${BYBIT_CATEGORIES.join(', ')} (missing)`)
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
  const node = checkWire(WireKlineResult, result, endpoint, at(path))
  const category = categoryOf(node.category, options.category, endpoint, path)
  const klines = node.list.map(([startTime, ...columns], i): Kline => {
    const column = (j: number): string => `${path}.list[${i}][${j}] (${KLINE_COLUMNS[j]})`
    const openTimeMs = integerAt(startTime, endpoint, column(0))
    const [open, high, low, close] = columns.slice(0, 4).map((text, j) => decimalAt(text, endpoint, column(j + 1), 'positive'))
    const volume = decimalAt(columns[4], endpoint, column(5), 'nonNegative')
    const turnover = decimalAt(columns[5], endpoint, column(6), 'nonNegative')
    const inverse = category === 'inverse'
    return { openTimeMs, open, high, low, close, volumeBase: inverse ? turnover : volume, turnoverQuote: inverse ? volume : turnover }
  })
  const ascending = klines.map((k, i) => ({ k, i })).sort((x, y) => x.k.openTimeMs - y.k.openTimeMs)
  for (let j = 1; j < ascending.length; j++) {
    if (ascending[j].k.openTimeMs === ascending[j - 1].k.openTimeMs) fail(endpoint, `${path}.list[${ascending[j].i}][0] (startTime)`, `duplicates another row (${ascending[j].k.openTimeMs})`)
  }
  return ascending.map(({ k }) => k).filter((k) => intervalEndMs(k.openTimeMs, options.interval) <= options.responseTimeMs)
}

function parseLevels (rows: readonly WireLevel[], category: BybitCategory, side: 'bid' | 'ask', endpoint: string, path: string): Level[] {
  const levels = rows.map(([price, size], i): Level => {
    const priceQuote = decimalAt(price, endpoint, `${path}[${i}][0] (price)`, 'positive')
    const sizeVenue = decimalAt(size, endpoint, `${path}[${i}][1] (size)`, 'nonNegative')
    const sizeBase = category === 'inverse' ? sizeVenue / priceQuote : sizeVenue
    return { price, size, priceQuote, sizeBase }
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
  const node = checkWire(WireOrderbookResult, result, endpoint, at(path))
  const book: Orderbook = {
    symbol: node.s,
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
  const node = checkWire(WireTickersResult, result, endpoint, at(path))
  const category = categoryOf(node.category, options.category, endpoint, path)
  const inverse = category === 'inverse'
  return node.list.map((row, i): Ticker => {
    const p = `${path}.list[${i}]`
    const num = (key: Exclude<keyof WireTicker, 'symbol'>, bound: 'any' | 'nonNegative' | 'positive' = 'nonNegative'): number | undefined =>
      optionalDecimalAt(row[key], endpoint, `${p}.${key}`, bound)
    const toBase = (size: number | undefined, price: number | undefined): number | undefined =>
      size === undefined ? undefined : inverse ? (price !== undefined && price > 0 ? size / price : undefined) : size
    const bidPriceQuote = num('bid1Price')
    const askPriceQuote = num('ask1Price')
    const volume24h = num('volume24h')
    const turnover24h = num('turnover24h')
    const ticker: Ticker = {
      symbol: row.symbol,
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
  const node = checkWire(WireInstrumentsResult, result, endpoint, at(path))
  const category = categoryOf(node.category, options.category, endpoint, path)
  const cursor = node.nextPageCursor ?? ''
  const spot = category === 'spot'
  const list = spot
    ? checkWire(WireSpotInstrumentList, node.list, endpoint, at(`${path}.list`)).map((row) => ({ ...row, step: row.lotSizeFilter.basePrecision, minNotional: row.lotSizeFilter.minOrderAmt }))
    : checkWire(WireInstrumentList, node.list, endpoint, at(`${path}.list`)).map((row) => ({ ...row, step: row.lotSizeFilter.qtyStep, minNotional: row.lotSizeFilter.minNotionalValue }))
  const stepKey = spot ? 'basePrecision' : 'qtyStep'
  const notionalKey = spot ? 'minOrderAmt' : 'minNotionalValue'
  const instruments = list.map((row, i): Instrument => {
    const p = `${path}.list[${i}]`
    const price = row.priceFilter
    const lot = row.lotSizeFilter
    const instrument: Instrument = {
      symbol: row.symbol,
      category,
      status: row.status,
      baseCoin: row.baseCoin,
      quoteCoin: row.quoteCoin,
      qtyUnit: category === 'inverse' ? 'contracts' : 'base',
      tickSize: decimalAt(price.tickSize, endpoint, `${p}.priceFilter.tickSize`, 'positive'),
      tickSizeText: price.tickSize,
      qtyStep: decimalAt(row.step, endpoint, `${p}.lotSizeFilter.${stepKey}`, 'positive'),
      qtyStepText: row.step,
      minOrderQty: decimalAt(lot.minOrderQty, endpoint, `${p}.lotSizeFilter.minOrderQty`, 'nonNegative'),
      maxOrderQty: decimalAt(lot.maxOrderQty, endpoint, `${p}.lotSizeFilter.maxOrderQty`, 'positive')
    }
    const optional = {
      minNotionalValue: optionalDecimalAt(row.minNotional, endpoint, `${p}.lotSizeFilter.${notionalKey}`, 'nonNegative'),
      minPriceQuote: optionalDecimalAt(price.minPrice, endpoint, `${p}.priceFilter.minPrice`, 'nonNegative'),
      maxPriceQuote: optionalDecimalAt(price.maxPrice, endpoint, `${p}.priceFilter.maxPrice`, 'positive')
    }
    for (const [key, value] of Object.entries(optional)) if (value !== undefined) instrument[key as keyof typeof optional] = value
    return instrument
  })
  return { instruments, nextPageCursor: cursor }
}

/** Bybit's taker side (`Buy` / `Sell`, checked by the schema) as ours. */
function sideOf (side: 'Buy' | 'Sell'): Side {
  return side === 'Buy' ? 'buy' : 'sell'
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
  const node = checkWire(WireRecentTradeResult, result, endpoint, at(path))
  const category = categoryOf(node.category, options.category, endpoint, path)
  const trades = node.list.map((row, i) => {
    const p = `${path}.list[${i}]`
    return makeTrade({
      tsMs: integerAt(row.time, endpoint, `${p}.time`),
      symbol: row.symbol,
      side: sideOf(row.side),
      size: decimalAt(row.size, endpoint, `${p}.size`, 'positive'),
      priceQuote: decimalAt(row.price, endpoint, `${p}.price`, 'positive'),
      id: row.execId,
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
  const where = { root: 'message', prefix: '' }
  const root: { topic?: unknown, op?: unknown } = checkWire(WireWsMessage, json, endpoint, where)
  if (typeof root.topic === 'string' && root.topic.startsWith('publicTrade.')) {
    const message = checkWire(WireWsTradeMessage, json, endpoint, where)
    const symbol = message.topic.slice('publicTrade.'.length)
    const trades = message.data.map((row, i) => {
      const p = `data[${i}]`
      return makeTrade({
        tsMs: integerAt(row.T, endpoint, `${p}.T`),
        symbol: row.s,
        side: sideOf(row.S),
        size: decimalAt(row.v, endpoint, `${p}.v`, 'positive'),
        priceQuote: decimalAt(row.p, endpoint, `${p}.p`, 'positive'),
        id: row.i,
        seq: optionalIntegerAt(row.seq, endpoint, `${p}.seq`)
      }, category)
    })
    return { kind: 'trades', symbol, tsMs: integerAt(message.ts, endpoint, 'ts'), trades: sortTradesAscending(trades) }
  }
  if (typeof root.op === 'string') {
    const answer = checkWire(WireWsOpResponse, json, endpoint, where)
    const success = answer.success ?? answer.op === 'pong'
    return { kind: 'op', op: answer.op, success, retMsg: typeof answer.ret_msg === 'string' ? answer.ret_msg : '' }
  }
  return { kind: 'other' }
}
