/**
 * I-Star windows from live klines and the public trade tape (issue 13: "live klines and the trade
 * tape in the job"). Bybit klines carry no taker-buy volume, so the signed flow comes from the
 * tape: each covered minute's taker-buy volume is the kline volume times the tape's buy share in
 * that minute (so |Q| <= window volume still holds); volume, ADV and volDaily come from the klines.
 * Only windows lying wholly inside the tape's span of whole minutes are kept: a window half
 * outside it would see only part of its flow.
 */
import { buildIStarWindows, type IStarWindowOptions } from './istar-windows.js'
import type { TimedIStarWindow } from './calibrate-istar.js'
import { BAR_INTERVAL_MS, type MinuteBar } from './minute-bars.js'
import type { Trade } from './tape-samples.js'

export interface TapeIStarWindows {
  windows: TimedIStarWindow[]
  /** whole minutes the tape covers: [fromMs, toMs), or undefined when it covers none */
  tapeSpan?: { fromMs: number, toMs: number }
}

/**
 * Windows of buildIStarWindows on `bars` with takerBuyBase from `trades` (ascending by tsMs).
 * Minutes outside the tape's span get half their volume as taker buys (no flow) and every window
 * touching them is dropped. O(bars + trades + windows).
 * @throws DomainRangeError as buildIStarWindows (options, invalid bars).
 */
export function buildTapeIStarWindows (bars: readonly MinuteBar[], trades: readonly Trade[], options: IStarWindowOptions = {}): TapeIStarWindows {
  if (trades.length === 0 || bars.length === 0) return { windows: [] }
  // the first and last minutes the tape touches may be partial: only the minutes strictly between count
  const fromMs = (Math.floor(trades[0].tsMs / BAR_INTERVAL_MS) + 1) * BAR_INTERVAL_MS
  const toMs = Math.floor(trades[trades.length - 1].tsMs / BAR_INTERVAL_MS) * BAR_INTERVAL_MS
  if (!(toMs > fromMs)) return { windows: [] }
  const buy = new Map<number, number>()
  const total = new Map<number, number>()
  for (const trade of trades) {
    const minuteMs = Math.floor(trade.tsMs / BAR_INTERVAL_MS) * BAR_INTERVAL_MS
    total.set(minuteMs, (total.get(minuteMs) ?? 0) + trade.sizeBase)
    if (trade.side === 'buy') buy.set(minuteMs, (buy.get(minuteMs) ?? 0) + trade.sizeBase)
  }
  const withFlow = bars.map((bar) => {
    const tapeTotal = total.get(bar.openTimeMs) ?? 0
    const inside = bar.openTimeMs >= fromMs && bar.openTimeMs < toMs
    const share = inside && tapeTotal > 0 ? (buy.get(bar.openTimeMs) ?? 0) / tapeTotal : 0.5
    return { ...bar, takerBuyBase: Math.min(bar.volumeBase, Math.max(0, share * bar.volumeBase)) }
  })
  const windows = buildIStarWindows(withFlow, options).filter((w) => w.startMs >= fromMs && w.startMs + w.lengthMinutes * BAR_INTERVAL_MS <= toMs)
  return { windows, tapeSpan: { fromMs, toMs } }
}
