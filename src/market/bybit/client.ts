/**
 * Bybit v5 public market-data REST client on undici `request` (after nautilus_trader's
 * `crates/adapters/bybit/src/http/client.rs`: the client sends and retries, `parse.ts` converts).
 *
 * Retries (at most `maxRetries` after the first attempt; then the last typed error is thrown):
 * - rate limits (retCode 10006/10018, HTTP 429, HTTP 403, which Bybit uses for its IP limit): wait
 *   until `X-Bapi-Limit-Reset-Timestamp` when the header is in the future, capped at
 *   `maxRateLimitWaitMs` (default 2 * maxBackoffMs; a 403 IP ban of ~10 min therefore exhausts the
 *   retries and is thrown, the caller keeps its state); without the header, the backoff below;
 * - HTTP 5xx, retCode 10000/10016, timeouts and network errors: capped exponential backoff with
 *   full jitter, `random() * min(maxBackoffMs, baseBackoffMs * 2^(retry-1))`;
 * - never: other 4xx, other retCodes (10001 parameter error...), parse errors (see BybitParseError).
 * Every attempt has a deadline of `timeoutMs` for headers and body (AbortController).
 */
import { request } from 'undici'
import { isSymbol } from '../../domain/symbol.js'
import type {
  Instrument, InstrumentsQuery, Kline, KlineHistory, KlineHistoryQuery, KlinesQuery, MarketDataSource, Orderbook,
  OrderbookQuery, RecentTradesQuery, Ticker, TickersQuery, Trade
} from '../market-data.js'
import { resolveClientOptions, type BybitClientOptions, type ResolvedClientOptions } from './client-options.js'
import {
  BybitError, BybitHttpError, BybitNetworkError, BybitParseError, BybitRateLimitError, BybitTimeoutError, BybitVenueError,
  RATE_LIMIT_RET_CODES
} from './errors.js'
import { findKlineGaps } from './interval.js'
import {
  parseEnvelope, parseInstrumentsResult, parseJsonBody, parseKlineResult, parseOrderbookResult,
  parseRecentTradesResult, parseTickersResult
} from './parse.js'
import {
  BYBIT_CATEGORIES, BYBIT_INTERVALS, BYBIT_PATHS, HEADER_LIMIT_RESET_TIMESTAMP, type BybitCategory
} from './wire.js'

export type { BybitClientOptions, RetryInfo } from './client-options.js'
export { findKlineGaps } from './interval.js'

/** Most rows Bybit returns per kline / instruments page. */
export const MAX_PAGE_LIMIT = 1000
/** Safety stop of the paging loops. */
export const MAX_PAGES = 10_000

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])

type Query = Record<string, string | number | undefined>

function checkCategory (category: unknown): asserts category is BybitCategory {
  if (!(BYBIT_CATEGORIES as readonly unknown[]).includes(category)) throw new TypeError(`BybitClient: category must be one of ${BYBIT_CATEGORIES.join(', ')} (got ${JSON.stringify(category)})`)
}

function checkSymbol (symbol: unknown): asserts symbol is string {
  if (!isSymbol(symbol)) throw new TypeError(`BybitClient: symbol must be an upper-case Bybit symbol (got ${JSON.stringify(symbol)})`)
}

function checkInteger (name: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined) return
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`BybitClient: ${name} must be an integer in [${min}, ${max}] (got ${value})`)
}

/** Bybit v5 public market data, the venue's MarketDataSource; see the file comment for retries and timeouts. */
export class BybitClient implements MarketDataSource {
  readonly options: ResolvedClientOptions

  /** @throws TypeError / RangeError naming the bad option. */
  constructor (options: BybitClientOptions) {
    this.options = resolveClientOptions(options)
  }

  /**
   * One kline request: closed candles, ascending (the open one dropped).
   * @throws BybitError after retries; TypeError/RangeError for bad arguments.
   */
  async getKlines (params: KlinesQuery): Promise<Kline[]> {
    checkCategory(params.category)
    checkSymbol(params.symbol)
    if (!BYBIT_INTERVALS.includes(params.interval)) throw new TypeError(`BybitClient: interval must be one of ${BYBIT_INTERVALS.join(', ')} (got ${JSON.stringify(params.interval)})`)
    checkInteger('limit', params.limit, 1, MAX_PAGE_LIMIT)
    checkInteger('startMs', params.startMs, 0, Number.MAX_SAFE_INTEGER)
    checkInteger('endMs', params.endMs, 0, Number.MAX_SAFE_INTEGER)
    const { result, timeMs } = await this.get(BYBIT_PATHS.kline, {
      category: params.category, symbol: params.symbol, interval: params.interval, start: params.startMs, end: params.endMs, limit: params.limit
    })
    return parseKlineResult(result, { interval: params.interval, responseTimeMs: timeMs, category: params.category })
  }

  /**
   * The latest `bars` closed candles ending at `endMs` (default: now), paging backwards with `end`
   * (1000 per page), de-duplicated, ascending. Stops early when a page brings nothing new; then
   * `klines.length < bars`. `gaps` lists holes between consecutive returned bars. Bars whose start
   * is <= endMs are included (Bybit's `end`), so the last may contain endMs: pass a bar boundary
   * minus 1 ms to get only bars closed by that boundary (the open candle is always dropped).
   * @throws BybitError after retries; RangeError when bars is not a positive integer.
   */
  async getKlineHistory (params: KlineHistoryQuery): Promise<KlineHistory> {
    checkInteger('bars', params.bars, 1, MAX_PAGE_LIMIT * MAX_PAGES)
    const byStart = new Map<number, Kline>()
    let endMs = params.endMs
    for (let page = 0; page < MAX_PAGES && byStart.size < params.bars; page++) {
      const limit = Math.min(MAX_PAGE_LIMIT, params.bars - byStart.size + 1)
      const klines = await this.getKlines({ category: params.category, symbol: params.symbol, interval: params.interval, endMs, limit })
      let added = 0
      for (const kline of klines) {
        if (endMs !== undefined && kline.openTimeMs > endMs) continue
        if (!byStart.has(kline.openTimeMs)) { byStart.set(kline.openTimeMs, kline); added++ }
      }
      if (added === 0) break
      endMs = klines[0].openTimeMs - 1
    }
    const klines = [...byStart.values()].sort((a, b) => a.openTimeMs - b.openTimeMs).slice(-params.bars)
    return { klines, gaps: findKlineGaps(klines, params.interval) }
  }

  /** Tickers of the category, or of one symbol. @throws BybitError after retries. */
  async getTickers (params: TickersQuery): Promise<Ticker[]> {
    checkCategory(params.category)
    if (params.symbol !== undefined) checkSymbol(params.symbol)
    const { result, timeMs } = await this.get(BYBIT_PATHS.tickers, { category: params.category, symbol: params.symbol })
    return parseTickersResult(result, { responseTimeMs: timeMs, category: params.category })
  }

  /** Order-book snapshot, `limit` levels a side (1-1000 for linear/inverse, 1-200 spot). @throws BybitError after retries. */
  async getOrderbook (params: OrderbookQuery): Promise<Orderbook> {
    checkCategory(params.category)
    checkSymbol(params.symbol)
    checkInteger('limit', params.limit, 1, MAX_PAGE_LIMIT)
    const { result } = await this.get(BYBIT_PATHS.orderbook, { category: params.category, symbol: params.symbol, limit: params.limit })
    return parseOrderbookResult(result, { category: params.category })
  }

  /**
   * Instruments of the category (or one symbol), following `nextPageCursor` until it is "";
   * `limit` is the page size (default 1000).
   * @throws BybitError after retries; BybitParseError when Bybit repeats a cursor.
   */
  async getInstruments (params: InstrumentsQuery): Promise<Instrument[]> {
    checkCategory(params.category)
    if (params.symbol !== undefined) checkSymbol(params.symbol)
    checkInteger('limit', params.limit, 1, MAX_PAGE_LIMIT)
    const instruments: Instrument[] = []
    const seen = new Set<string>()
    let cursor: string | undefined
    for (let page = 0; page < MAX_PAGES; page++) {
      const { result } = await this.get(BYBIT_PATHS.instruments, { category: params.category, symbol: params.symbol, limit: params.limit ?? MAX_PAGE_LIMIT, cursor })
      const parsed = parseInstrumentsResult(result, { category: params.category })
      instruments.push(...parsed.instruments)
      if (parsed.nextPageCursor === '') break
      if (seen.has(parsed.nextPageCursor)) throw new BybitParseError(BYBIT_PATHS.instruments, 'result.nextPageCursor', `repeats an earlier cursor (${parsed.nextPageCursor})`)
      seen.add(parsed.nextPageCursor)
      cursor = parsed.nextPageCursor
    }
    return instruments
  }

  /** Latest public trades, ascending; `side` is the taker side. @throws BybitError after retries. */
  async getRecentTrades (params: RecentTradesQuery): Promise<Trade[]> {
    checkCategory(params.category)
    checkSymbol(params.symbol)
    checkInteger('limit', params.limit, 1, MAX_PAGE_LIMIT)
    const { result } = await this.get(BYBIT_PATHS.recentTrade, { category: params.category, symbol: params.symbol, limit: params.limit })
    return parseRecentTradesResult(result, { category: params.category })
  }

  /** GET with retries; returns the envelope's result and response time. */
  private async get (path: string, query: Query): Promise<{ result: unknown, timeMs: number }> {
    const { maxRetries, onRetry, sleep } = this.options
    for (let retry = 0; ; retry++) {
      try {
        return await this.attempt(path, query)
      } catch (caught) {
        const error = caught instanceof BybitError ? caught : new BybitNetworkError(path, caught)
        if (!error.retryable || retry >= maxRetries) throw error
        const delayMs = this.retryDelayMs(error, retry)
        try { onRetry?.({ endpoint: path, retry: retry + 1, delayMs, error }) } catch { /* a failing listener must not stop the retry */ }
        await sleep(delayMs)
      }
    }
  }

  /** Wait before retry number `retry + 1`: the rate-limit reset when given, else full-jitter backoff. */
  private retryDelayMs (error: BybitError, retry: number): number {
    const { baseBackoffMs, maxBackoffMs, maxRateLimitWaitMs, nowMs, random } = this.options
    if (error instanceof BybitRateLimitError && error.resetAtMs !== undefined) {
      const untilResetMs = error.resetAtMs - nowMs()
      if (untilResetMs > 0) return Math.min(untilResetMs, maxRateLimitWaitMs)
    }
    return random() * Math.min(maxBackoffMs, baseBackoffMs * 2 ** retry)
  }

  private url (path: string, query: Query): string {
    const search = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, String(value))
    const text = search.toString()
    return `${this.options.restUrl}${path}${text === '' ? '' : `?${text}`}`
  }

  /** One attempt: request, status, envelope, retCode. */
  private async attempt (path: string, query: Query): Promise<{ result: unknown, timeMs: number }> {
    const { timeoutMs, dispatcher } = this.options
    const controller = new AbortController()
    const timer = setTimeout(() => { controller.abort() }, timeoutMs)
    timer.unref()
    let statusCode: number
    let text: string
    let resetAtMs: number | undefined
    try {
      const response = await request(this.url(path, query), { method: 'GET', dispatcher, signal: controller.signal, headers: { accept: 'application/json' } })
      statusCode = response.statusCode
      resetAtMs = readResetHeader(response.headers[HEADER_LIMIT_RESET_TIMESTAMP])
      text = await response.body.text()
    } catch (error) {
      if (controller.signal.aborted || TIMEOUT_CODES.has((error as { code?: string }).code ?? '')) throw new BybitTimeoutError(path, timeoutMs)
      throw new BybitNetworkError(path, error)
    } finally {
      clearTimeout(timer)
    }
    if (statusCode === 429 || statusCode === 403) throw new BybitRateLimitError(path, { statusCode, resetAtMs })
    if (statusCode < 200 || statusCode >= 300) throw new BybitHttpError(path, statusCode)
    const envelope = parseEnvelope(parseJsonBody(text, path), path)
    if (!envelope.ok) {
      if (RATE_LIMIT_RET_CODES.has(envelope.retCode)) throw new BybitRateLimitError(path, { statusCode, retCode: envelope.retCode, resetAtMs })
      throw new BybitVenueError(path, envelope.retCode, envelope.retMsg)
    }
    return { result: envelope.result, timeMs: envelope.timeMs }
  }
}

function readResetHeader (value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value
  if (text === undefined || !/^\d{1,16}$/.test(text.trim())) return undefined
  return Number(text.trim())
}
