/**
 * GET /v5/market/kline of the fake Bybit, from the recorded inverse BTCUSD 1-minute bars.
 *
 * Time line: the recorded bars keep their real timestamps (2025-03-19 21:21 -> 2025-03-21 06:52 UTC).
 * At the fake's clock `nowMs` the bar containing nowMs is the still-open candle; later bars do not
 * exist yet. When nowMs lies past the recording, every minute after the last recorded bar (the open
 * candle included) is a flat bar at the last recorded close with zero volume, so the series never
 * has a gap. Before the first recorded bar there is no data (empty list).
 *
 * Intervals of n minutes (3 ... 720, "D" = 1440) aggregate the minute bars into UTC-aligned buckets
 * [floor(t / n) * n, +n): open of the first minute, close of the last, max high, min low, summed
 * volume and turnover; the first bucket holds only the minutes recorded in it (the recording starts
 * at 21:21, so the first daily bar covers 21:21-23:59). The recording spans about 33.5 h, so "D"
 * has two or three bars. "W" and "M" are not served (retCode 10001).
 *
 * Range: bars whose interval overlaps [start, end] (Bybit also returns the bar containing `start`,
 * see mirumirumi/ro-soku#3), newest first, at most `limit` of them, the newest ones when more match.
 */
import { MINUTE_MS, type InverseBar, type RecordedData } from './recorded-data.js'
import { specOf, INVERSE_SYMBOL, INVERSE_PRICE_DECIMALS } from './symbols.js'
import { decimalsOf, formatTrimmed } from './format.js'
import { VenueParamsError, intParam, msParam, categoryParam, symbolParam, type Query } from './params.js'

export const INTERVAL_MINUTES: Readonly<Record<string, number>> = Object.freeze({
  1: 1, 3: 3, 5: 5, 15: 15, 30: 30, 60: 60, 120: 120, 240: 240, 360: 360, 720: 720, D: 1440
})

export type KlineResult = { symbol: string, category: string, list: string[][] }

/** Start of the minute containing `ms`. */
export function minuteStart (ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS
}

/** The minute bar starting at `startMs` (>= the first recorded start): recorded, or flat at the last close. */
export function minuteBarAt (bars: readonly InverseBar[], startMs: number): InverseBar {
  const index = (startMs - bars[0].startMs) / MINUTE_MS
  if (index < bars.length) return bars[index]
  const close = bars[bars.length - 1].close
  return { startMs, open: close, high: close, low: close, close, volumeUsd: 0, turnoverBtc: 0 }
}

/** Aggregate of the minute bars starting in [fromMs, toMs] (both minute starts, fromMs <= toMs). */
export function aggregateMinutes (bars: readonly InverseBar[], bucketStartMs: number, fromMs: number, toMs: number): InverseBar {
  const first = minuteBarAt(bars, fromMs)
  const out: InverseBar = { ...first, startMs: bucketStartMs }
  for (let t = fromMs + MINUTE_MS; t <= toMs; t += MINUTE_MS) {
    const bar = minuteBarAt(bars, t)
    out.high = Math.max(out.high, bar.high)
    out.low = Math.min(out.low, bar.low)
    out.close = bar.close
    out.volumeUsd += bar.volumeUsd
    out.turnoverBtc += bar.turnoverBtc
  }
  return out
}

/**
 * Buckets of `intervalMinutes` overlapping [startMs, endMs] that exist at nowMs, newest first, at most `limit`.
 * The bucket containing nowMs is built from the minutes up to nowMs's minute only (the open candle).
 */
export function bucketsAt (bars: readonly InverseBar[], intervalMinutes: number, nowMs: number, startMs: number, endMs: number, limit: number): InverseBar[] {
  const intervalMs = intervalMinutes * MINUTE_MS
  const firstMinuteMs = bars[0].startMs
  const openMinuteMs = minuteStart(nowMs)
  if (openMinuteMs < firstMinuteMs) return []
  const bucketOf = (ms: number): number => Math.floor(ms / intervalMs) * intervalMs
  const lastBucket = Math.min(bucketOf(endMs), bucketOf(openMinuteMs))
  const firstBucket = Math.max(bucketOf(startMs), bucketOf(firstMinuteMs))
  const out: InverseBar[] = []
  for (let bucket = lastBucket; bucket >= firstBucket && out.length < limit; bucket -= intervalMs) {
    const fromMs = Math.max(bucket, firstMinuteMs)
    const toMs = Math.min(bucket + intervalMs - MINUTE_MS, openMinuteMs)
    out.push(aggregateMinutes(bars, bucket, fromMs, toMs))
  }
  return out
}

/** Bybit's row `[startTime, open, high, low, close, volume, turnover]` for the inverse contract, as recorded. */
export function inverseRow (bar: InverseBar): string[] {
  const p = (x: number): string => formatTrimmed(x, INVERSE_PRICE_DECIMALS)
  return [String(bar.startMs), p(bar.open), p(bar.high), p(bar.low), p(bar.close), formatTrimmed(bar.volumeUsd, 0), formatTrimmed(bar.turnoverBtc, 8)]
}

/** The same bar in linear units of `symbol` (see symbols.ts): volume base, turnover quote. */
export function linearRow (bar: InverseBar, symbol: string): string[] {
  const spec = specOf(symbol)
  const decimals = decimalsOf(Number(spec.tickSize))
  const p = (x: number): string => formatTrimmed(x / spec.priceDivisor, decimals)
  return [String(bar.startMs), p(bar.open), p(bar.high), p(bar.low), p(bar.close), formatTrimmed(bar.turnoverBtc * spec.priceDivisor, 8), formatTrimmed(bar.volumeUsd, 4)]
}

/**
 * The `result` of GET /v5/market/kline at the fake's clock.
 * @throws {VenueParamsError} on a bad category, symbol, interval, limit, start or end.
 */
export function klineResult (data: RecordedData, query: Query, nowMs: number): KlineResult {
  const category = categoryParam(query, ['linear', 'spot', 'inverse'] as const)
  const symbol = symbolParam(query)
  if (category === 'inverse' && symbol !== INVERSE_SYMBOL) throw new VenueParamsError(`symbol "${symbol}" is not served for inverse (only ${INVERSE_SYMBOL})`)
  const intervalText = query.interval ?? ''
  const intervalMinutes = Object.hasOwn(INTERVAL_MINUTES, intervalText) ? INTERVAL_MINUTES[intervalText] : undefined
  if (intervalMinutes === undefined) throw new VenueParamsError(`interval "${intervalText}" is invalid (served: ${Object.keys(INTERVAL_MINUTES).join(',')})`)
  const limit = intParam(query, 'limit', 1, 1000, 200)
  const startMs = msParam(query, 'start') ?? 0
  const endMs = msParam(query, 'end') ?? nowMs
  if (startMs > endMs) throw new VenueParamsError('start must not be after end')
  const buckets = bucketsAt(data.bars, intervalMinutes, nowMs, startMs, endMs, limit)
  const list = buckets.map((bar) => category === 'inverse' ? inverseRow(bar) : linearRow(bar, symbol))
  return { symbol, category, list }
}
