/**
 * Kline interval arithmetic. Minute intervals and D / W are fixed lengths; M is a calendar month
 * (UTC), so its end is computed on the calendar. Bybit's weekly bars start on Monday 00:00 UTC and
 * monthly bars on the 1st, 00:00 UTC; only the length from a bar's start matters here.
 */
import type { BybitInterval } from './wire.js'
import type { Kline, KlineGap } from '../market-data.js'

const MINUTE_MS = 60_000
const DAY_MS = 1_440 * MINUTE_MS

/** Fixed length of an interval in ms, or undefined for the calendar month `M`. */
export function intervalLengthMs (interval: BybitInterval): number | undefined {
  if (interval === 'M') return undefined
  if (interval === 'D') return DAY_MS
  if (interval === 'W') return 7 * DAY_MS
  return Number(interval) * MINUTE_MS
}

/** End (exclusive, ms) of the bar that starts at `startMs`. */
export function intervalEndMs (startMs: number, interval: BybitInterval): number {
  const lengthMs = intervalLengthMs(interval)
  if (lengthMs !== undefined) return startMs + lengthMs
  const start = new Date(startMs)
  return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate(), start.getUTCHours(), start.getUTCMinutes())
}

/**
 * Number of bars missing between two consecutive bar starts (0 when `nextStartMs` is the bar right
 * after `prevStartMs`). O(1) for fixed intervals, O(months) for `M`.
 */
export function missingBarsBetween (prevStartMs: number, nextStartMs: number, interval: BybitInterval): number {
  const lengthMs = intervalLengthMs(interval)
  if (lengthMs !== undefined) return Math.max(0, Math.round((nextStartMs - prevStartMs) / lengthMs) - 1)
  let missing = 0
  for (let start = intervalEndMs(prevStartMs, interval); start < nextStartMs; start = intervalEndMs(start, interval)) missing++
  return missing
}

/** Holes between consecutive ascending klines (pure). */
export function findKlineGaps (klines: readonly Kline[], interval: BybitInterval): KlineGap[] {
  const gaps: KlineGap[] = []
  for (let i = 1; i < klines.length; i++) {
    const missingBars = missingBarsBetween(klines[i - 1].openTimeMs, klines[i].openTimeMs, interval)
    if (missingBars > 0) gaps.push({ afterMs: klines[i - 1].openTimeMs, missingBars })
  }
  return gaps
}
