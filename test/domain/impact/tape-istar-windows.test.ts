import t from 'tap'
import { buildTapeIStarWindows } from '../../../src/domain/impact/tape-istar-windows.js'
import { BAR_INTERVAL_MS, type MinuteBar } from '../../../src/domain/impact/minute-bars.js'
import type { Trade } from '../../../src/domain/impact/tape-samples.js'

const T0_MS = Date.UTC(2026, 0, 1)

// bars alternating close 100 / 101, volume 10, no takerBuyBase (as Bybit klines)
const bars: MinuteBar[] = Array.from({ length: 20 }, (_, i) => {
  const price = i % 2 === 0 ? 100 : 101
  return { openTimeMs: T0_MS + i * BAR_INTERVAL_MS, open: price, high: price, low: price, close: price, volumeBase: 10 }
})

t.test('taker buys from the tape\'s buy share; only windows wholly inside the tape\'s whole minutes', async (t) => {
  // tape from 00:05:30 to 00:12:30: whole minutes 6..11 (00:06 to 00:12)
  const trades: Trade[] = []
  for (let m = 5; m <= 12; m++) {
    trades.push({ tsMs: T0_MS + m * BAR_INTERVAL_MS + 30_000, side: 'buy', sizeBase: 3, priceQuote: 100 })
    trades.push({ tsMs: T0_MS + m * BAR_INTERVAL_MS + 40_000, side: 'sell', sizeBase: 1, priceQuote: 100 })
  }
  const { windows, tapeSpan } = buildTapeIStarWindows(bars, trades, { lengthsMinutes: [1, 2], lookbackMinutes: 3 })
  t.same(tapeSpan, { fromMs: T0_MS + 6 * BAR_INTERVAL_MS, toMs: T0_MS + 12 * BAR_INTERVAL_MS })
  for (const w of windows) {
    t.ok(w.startMs >= tapeSpan?.fromMs! && w.startMs + w.lengthMinutes * BAR_INTERVAL_MS <= tapeSpan?.toMs!, `window at ${(w.startMs - T0_MS) / BAR_INTERVAL_MS} min, ${w.lengthMinutes} min`)
    // buy share 3/4 of volume 10 per minute: Q = (2 * 7.5 - 10) per minute, POV = 0.5
    t.ok(Math.abs(w.pov - 0.5) < 1e-12)
  }
  t.equal(windows.filter((w) => w.lengthMinutes === 1).length, 6, 'minutes 6..11')
  t.equal(windows.filter((w) => w.lengthMinutes === 2).length, 2, 'the 2-minute grid from minute 3 (the lookback): 7-8 and 9-10 lie inside')
})

t.test('no tape, or no whole minute of it: no windows', async (t) => {
  t.same(buildTapeIStarWindows(bars, []).windows, [])
  t.same(buildTapeIStarWindows(bars, [{ tsMs: T0_MS + 30_000, side: 'buy', sizeBase: 1, priceQuote: 100 }]).windows, [])
})
