/**
 * Bybit v5 public market-data wire shapes, field names exactly as Bybit sends them, as TypeBox
 * schemas that `parse.ts` checks with `Value` (`wire-check.ts`) before turning them into our
 * records (`../market-data.ts`). Bybit names live only here and in `parse.ts`. Prices and sizes are
 * decimal strings (checked here against a strict pattern, because `Number('')` is 0 and
 * `Number(' 1 ')` is 1; converted to numbers once, in `parse.ts`); `retCode` and `time` (ms) are
 * JSON numbers. Each schema's `rule` says what a bad value breaks and `title` names a column of
 * a row (`result.list[3][4] (close)`). Fields we do not read are left out of the schemas (objects
 * may carry more properties) and named in their comments, so they are never rejected. Sources: Bybit v5 docs (market/kline, orderbook, recent-trade, tickers, instrument;
 * websocket/public/trade) and the captures summarised in ../shared/data/bybit-samples/SHAPES.md.
 */
import { Type, type Static, type StringOptions } from '@sinclair/typebox'

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

/** A decimal string: `"84047.8"`, `"-0.5"`, `"1e-7"`. */
export const DECIMAL_PATTERN = '^-?\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?$'
/** A decimal-integer string: `"1742274480000"`. */
export const INTEGER_PATTERN = '^-?\\d+$'

function Decimal (options: StringOptions = {}) {
  return Type.String({ pattern: DECIMAL_PATTERN, rule: 'must be a decimal string', ...options })
}

/** A decimal string, or `""` (Bybit's "not applicable"), or absent. */
function OptionalDecimal () {
  return Type.Optional(Type.String({ pattern: `^(?:${DECIMAL_PATTERN.slice(1, -1)})?$`, rule: 'must be a decimal string' }))
}

function NonEmptyString () {
  return Type.String({ minLength: 1, rule: 'must be a non-empty string' })
}

/**
 * An integer (ms timestamp, update id, sequence): a JSON number, or a decimal-integer string
 * (Bybit sends trade `time` as a string; ccxt-recorded fixtures stringify `ts`/`u`/`seq`).
 */
function IntegerValue (options: { title?: string } = {}) {
  return Type.Union([Type.Integer(), Type.String({ pattern: INTEGER_PATTERN })], { rule: 'must be an integer', ...options })
}

/** An integer as above, or absent, `null` or `""`. */
function OptionalIntegerValue () {
  return Type.Optional(Type.Union([Type.Integer(), Type.String({ pattern: INTEGER_PATTERN }), Type.Literal(''), Type.Null()], { rule: 'must be an integer' }))
}

/** A JSON number that is a safe integer (envelope `retCode` / `time`: strings are rejected). */
const JsonInteger = Type.Integer({ minimum: Number.MIN_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER, rule: 'must be a JSON integer' })

export const WireCategory = Type.Union(BYBIT_CATEGORIES.map((c) => Type.Literal(c)), { rule: `must be one of ${BYBIT_CATEGORIES.join(', ')}` })

/** Taker side. */
const WireSide = Type.Union([Type.Literal('Buy'), Type.Literal('Sell')], { rule: 'must be "Buy" or "Sell"' })

/** Every REST response `{ retCode, retMsg, result, retExtInfo, time }`: the part read first. */
export const WireEnvelopeHead = Type.Object({
  retCode: JsonInteger,
  retMsg: Type.String({ rule: 'must be a string' })
}, { rule: 'must be an object' })

/** The rest of a successful response (`retCode` 0): response time and result. */
export const WireEnvelopeOk = Type.Object({
  /** response time, ms */
  time: JsonInteger,
  result: Type.Object({}, { rule: 'must be an object' })
})

/** `[startTime(ms), open, high, low, close, volume, turnover]`, all strings, newest first. */
export const WireKlineRow = Type.Tuple([
  IntegerValue({ title: 'startTime' }),
  Decimal({ title: 'open' }),
  Decimal({ title: 'high' }),
  Decimal({ title: 'low' }),
  Decimal({ title: 'close' }),
  Decimal({ title: 'volume' }),
  Decimal({ title: 'turnover' })
], { rule: 'must be an array' })
export type WireKlineRow = Static<typeof WireKlineRow>

/** Kline `result`; also `symbol` (not read). */
export const WireKlineResult = Type.Object({
  /** absent: the requested category */
  category: Type.Optional(WireCategory),
  list: Type.Array(WireKlineRow, { rule: 'must be an array' })
}, { rule: 'must be an object' })
export type WireKlineResult = Static<typeof WireKlineResult>

/** `[price, size]` */
export const WireLevel = Type.Tuple([Decimal({ title: 'price' }), Decimal({ title: 'size' })], { rule: 'must be an array' })
export type WireLevel = Static<typeof WireLevel>

/** Orderbook `result`; also `cts`, the matching-engine time in ms (not read). */
export const WireOrderbookResult = Type.Object({
  s: NonEmptyString(),
  /** bids, price descending */
  b: Type.Array(WireLevel, { rule: 'must be an array' }),
  /** asks, price ascending */
  a: Type.Array(WireLevel, { rule: 'must be an array' }),
  ts: IntegerValue(),
  u: IntegerValue(),
  seq: OptionalIntegerValue()
}, { rule: 'must be an object' })
export type WireOrderbookResult = Static<typeof WireOrderbookResult>

/**
 * One ticker; "" means not applicable. Also (not read) `prevPrice24h`, `highPrice24h`,
 * `lowPrice24h`, `openInterest`, `nextFundingTime` and more, all strings.
 */
export const WireTicker = Type.Object({
  symbol: NonEmptyString(),
  lastPrice: OptionalDecimal(),
  bid1Price: OptionalDecimal(),
  bid1Size: OptionalDecimal(),
  ask1Price: OptionalDecimal(),
  ask1Size: OptionalDecimal(),
  markPrice: OptionalDecimal(),
  indexPrice: OptionalDecimal(),
  price24hPcnt: OptionalDecimal(),
  volume24h: OptionalDecimal(),
  turnover24h: OptionalDecimal(),
  fundingRate: OptionalDecimal()
}, { rule: 'must be an object' })
export type WireTicker = Static<typeof WireTicker>

export const WireTickersResult = Type.Object({
  category: Type.Optional(WireCategory),
  list: Type.Array(WireTicker, { rule: 'must be an array' })
}, { rule: 'must be an object' })
export type WireTickersResult = Static<typeof WireTickersResult>

const WirePriceFilter = Type.Object({
  tickSize: Decimal(),
  minPrice: OptionalDecimal(),
  maxPrice: OptionalDecimal()
}, { rule: 'must be an object' })

const instrumentFields = {
  symbol: NonEmptyString(),
  status: NonEmptyString(),
  baseCoin: NonEmptyString(),
  quoteCoin: NonEmptyString(),
  priceFilter: WirePriceFilter
}

/** A linear or inverse instrument; also `contractType` and `lotSizeFilter.maxMktOrderQty` (not read). */
export const WireInstrument = Type.Object({
  ...instrumentFields,
  lotSizeFilter: Type.Object({
    minOrderQty: Decimal(),
    maxOrderQty: Decimal(),
    qtyStep: Decimal(),
    /** quote */
    minNotionalValue: OptionalDecimal()
  }, { rule: 'must be an object' })
}, { rule: 'must be an object' })
export type WireInstrument = Static<typeof WireInstrument>

/** A spot instrument: the quantity step is `basePrecision`, the minimum order value `minOrderAmt`. */
export const WireSpotInstrument = Type.Object({
  ...instrumentFields,
  lotSizeFilter: Type.Object({
    minOrderQty: Decimal(),
    maxOrderQty: Decimal(),
    basePrecision: Decimal(),
    /** quote */
    minOrderAmt: OptionalDecimal()
  }, { rule: 'must be an object' })
}, { rule: 'must be an object' })
export type WireSpotInstrument = Static<typeof WireSpotInstrument>

export const WireInstrumentList = Type.Array(WireInstrument, { rule: 'must be an array' })
export const WireSpotInstrumentList = Type.Array(WireSpotInstrument, { rule: 'must be an array' })

/** Instruments-info `result`; `list` is a WireInstrumentList or, for spot, a WireSpotInstrumentList. */
export const WireInstrumentsResult = Type.Object({
  category: Type.Optional(WireCategory),
  list: Type.Array(Type.Unknown(), { rule: 'must be an array' }),
  /** "" (or absent) when there are no more pages */
  nextPageCursor: Type.Optional(Type.Union([Type.String(), Type.Null()], { rule: 'must be a string' }))
}, { rule: 'must be an object' })

/** One recent trade; also `isBlockTrade` and `isRPITrade`, booleans (not read). */
export const WireRecentTrade = Type.Object({
  execId: NonEmptyString(),
  symbol: NonEmptyString(),
  price: Decimal(),
  size: Decimal(),
  /** taker side */
  side: WireSide,
  /** ms, as a string */
  time: IntegerValue(),
  seq: OptionalIntegerValue()
}, { rule: 'must be an object' })
export type WireRecentTrade = Static<typeof WireRecentTrade>

export const WireRecentTradeResult = Type.Object({
  category: Type.Optional(WireCategory),
  list: Type.Array(WireRecentTrade, { rule: 'must be an array' })
}, { rule: 'must be an object' })

/** Any public-stream message (classified by `topic` or `op`). */
export const WireWsMessage = Type.Object({}, { rule: 'must be an object' })

/** One trade of a `publicTrade.<SYMBOL>` WebSocket message; also `L` (tick direction) and `BT` (block trade), not read. */
export const WireWsTrade = Type.Object({
  /** trade time, ms */
  T: IntegerValue(),
  s: NonEmptyString(),
  /** taker side */
  S: WireSide,
  /** size */
  v: Decimal(),
  /** price */
  p: Decimal(),
  /** trade id */
  i: NonEmptyString(),
  seq: OptionalIntegerValue()
}, { rule: 'must be an object' })
export type WireWsTrade = Static<typeof WireWsTrade>

/** A `publicTrade.<SYMBOL>` message; also `type` ("snapshot"), not read. */
export const WireWsTradeMessage = Type.Object({
  topic: Type.String(),
  ts: IntegerValue(),
  data: Type.Array(WireWsTrade, { rule: 'must be an array' })
}, { rule: 'must be an object' })

/**
 * Answer to a ping or subscribe (`op` echoes the request; spot answers a ping with `op: "pong"`).
 * `ret_msg` is read when it is a string; `conn_id` and `req_id` are not read.
 */
export const WireWsOpResponse = Type.Object({
  op: Type.String(),
  success: Type.Optional(Type.Boolean({ rule: 'must be a boolean' })),
  ret_msg: Type.Optional(Type.Unknown())
}, { rule: 'must be an object' })

/** Requests the client sends on the public stream. */
export interface WireWsRequest {
  op: 'ping' | 'subscribe' | 'unsubscribe'
  args?: string[]
  req_id?: string
}

/** Topic of the public trade stream for `symbol`. */
export function publicTradeTopic (symbol: string): string {
  return `publicTrade.${symbol}`
}
