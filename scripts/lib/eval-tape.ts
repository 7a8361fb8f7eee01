/**
 * `npm run eval`, part (b): the Binance trade tape with aggressor flags (trades.csv.gz), USD-M
 * BTCUSDT/ETHUSDT sessions of 6 to 9 minutes each. Samples come from buildTapeImpactSamples
 * (short windows; Q = signed taker volume, dP/P = last trade price / last trade price before
 * the window - 1), pooled over sessions, then the job's walk-forward evaluation (eval-core.ts).
 *
 * There are no daily statistics for these sessions, so the market state of each window comes
 * from the EARLIER part of the same session only (documented stand-ins):
 * - advBase = taker volume traded since the session's first trade / elapsed time * 1 day. A few
 *   minutes around 00:00 UTC stand for a whole day: a rough, probably biased ADV;
 * - volDaily = stdev of log returns of the last trade price sampled every volGridMs since the
 *   session's first trade, * sqrt(1 day / volGridMs) (i.i.d. scaling);
 * - relSpread = (ask - bid) / mid of the latest rebuilt 1-second book (book_top20_1s) whose grid
 *   time is <= the window start (that book state uses depth diffs strictly before it).
 * A window needs warmupMs of session history before it. This is fewer than 200 samples from five
 * sessions on three dates: a demonstration that the pipeline runs on a real tape, not a
 * calibration.
 */
import { buildTapeImpactSamples, type TapeMarket, type Trade } from '../../src/domain/impact/tape-samples.js'
import type { BookTop, TapeTrade } from './readers.js'
import { evaluateSampleSet, type EvalRow, type EvalSettings } from './eval-core.js'

const MS_PER_DAY = 86_400_000

export interface TapeSession {
  session: string
  symbol: string
  trades: Trade[]
  /** ascending book grid times and their relative spreads */
  books: Array<{ tsMs: number, relSpread: number }>
}

export interface TapeSessionSummary {
  session: string
  symbol: string
  trades: number
  fromMs: number
  toMs: number
}

export interface TapeEvalOptions extends EvalSettings {
  windowsMs: readonly number[]
  /** session history needed before a window, ms */
  warmupMs: number
  /** price sampling step for volDaily, ms */
  volGridMs: number
}

/** USD-M sessions of the wanted symbols, trades ascending by exchange trade time. */
export function groupTapeSessions (trades: readonly TapeTrade[], books: readonly BookTop[], symbols: readonly string[], market = 'usdm'): TapeSession[] {
  const sessions = new Map<string, TapeSession>()
  for (const tr of trades) {
    if (tr.market !== market || !symbols.includes(tr.symbol)) continue
    let s = sessions.get(tr.session)
    if (s === undefined) { s = { session: tr.session, symbol: tr.symbol, trades: [], books: [] }; sessions.set(tr.session, s) }
    s.trades.push({ tsMs: tr.tradeTimeMs, side: tr.aggressorSide, sizeBase: tr.qtyBase, priceQuote: tr.priceQuote })
  }
  for (const b of books) {
    const s = sessions.get(b.session)
    if (s === undefined) continue
    const mid = (b.bidPriceQuote + b.askPriceQuote) / 2
    s.books.push({ tsMs: b.tsMs, relSpread: (b.askPriceQuote - b.bidPriceQuote) / mid })
  }
  const out = [...sessions.values()].sort((a, b) => a.session.localeCompare(b.session))
  for (const s of out) {
    s.trades.sort((a, b) => a.tsMs - b.tsMs)
    s.books.sort((a, b) => a.tsMs - b.tsMs)
  }
  return out
}

function sampleStdev (values: readonly number[]): number {
  let mean = 0
  for (const v of values) mean += v
  mean /= values.length
  let ss = 0
  for (const v of values) ss += (v - mean) ** 2
  return Math.sqrt(ss / (values.length - 1))
}

/**
 * marketAt for one session (see the module comment): uses only trades with tsMs < windowStartMs
 * and books with tsMs <= windowStartMs; undefined before warmupMs of history or without a book.
 */
export function sessionMarketAt (session: TapeSession, warmupMs: number, volGridMs: number): (windowStartMs: number) => TapeMarket | undefined {
  const trades = session.trades
  const firstMs = trades.length > 0 ? trades[0].tsMs : Infinity
  return (windowStartMs) => {
    const elapsedMs = windowStartMs - firstMs
    if (!(elapsedMs >= warmupMs)) return undefined
    let volumeBase = 0
    let lastPrice = NaN
    const gridPrices: number[] = [] // last trade price strictly before each grid time firstMs + j * volGridMs <= windowStartMs
    let nextGridMs = firstMs + volGridMs
    for (let i = 0; i < trades.length && trades[i].tsMs < windowStartMs; i++) {
      while (trades[i].tsMs >= nextGridMs) { gridPrices.push(lastPrice); nextGridMs += volGridMs }
      volumeBase += trades[i].sizeBase
      lastPrice = trades[i].priceQuote
    }
    while (nextGridMs <= windowStartMs) { gridPrices.push(lastPrice); nextGridMs += volGridMs }
    const logReturns: number[] = []
    for (let j = 1; j < gridPrices.length; j++) logReturns.push(Math.log(gridPrices[j] / gridPrices[j - 1]))
    let book: { relSpread: number } | undefined
    for (const b of session.books) { if (b.tsMs <= windowStartMs) book = b; else break }
    if (logReturns.length < 2 || book === undefined) return undefined
    return { advBase: volumeBase / elapsedMs * MS_PER_DAY, volDaily: sampleStdev(logReturns) * Math.sqrt(MS_PER_DAY / volGridMs), relSpread: book.relSpread }
  }
}

function windowLabel (windowMs: number): string {
  return windowMs % 60_000 === 0 ? `${windowMs / 60_000} min` : `${windowMs / 1000} s`
}

/** One row per window length; samples pooled over the sessions. */
export function evaluateTape (sessions: readonly TapeSession[], options: TapeEvalOptions): { rows: EvalRow[], sessions: TapeSessionSummary[], skipped: Record<string, { noTradeBefore: number, noTradeInside: number, noMarket: number }> } {
  const rows: EvalRow[] = []
  const skipped: Record<string, { noTradeBefore: number, noTradeInside: number, noMarket: number }> = {}
  const symbols = [...new Set(sessions.map((s) => s.symbol))].sort().join('/')
  for (const windowMs of options.windowsMs) {
    const total = { noTradeBefore: 0, noTradeInside: 0, noMarket: 0 }
    const samples = sessions.flatMap((s) => {
      const out = buildTapeImpactSamples(s.trades, { windowMs, marketAt: sessionMarketAt(s, options.warmupMs, options.volGridMs) })
      total.noTradeBefore += out.skipped.noTradeBefore
      total.noTradeInside += out.skipped.noTradeInside
      total.noMarket += out.skipped.noMarket
      return out.samples
    })
    skipped[windowLabel(windowMs)] = total
    rows.push(evaluateSampleSet(`tape ${symbols} (${sessions.length} sessions)`, windowLabel(windowMs), windowMs, windowMs, samples, options))
  }
  return {
    rows,
    sessions: sessions.map((s) => ({ session: s.session, symbol: s.symbol, trades: s.trades.length, fromMs: s.trades[0]?.tsMs ?? NaN, toMs: s.trades[s.trades.length - 1]?.tsMs ?? NaN })),
    skipped
  }
}
