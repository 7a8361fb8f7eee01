import t from 'tap'
import fc from 'fast-check'
import { buildIStarWindows, DEFAULT_ISTAR_LENGTHS_MINUTES, DEFAULT_ISTAR_LOOKBACK_MINUTES } from '../../../src/domain/impact/istar-windows.js'
import { buildKlineImpactSamples } from '../../../src/domain/impact/kline-samples.js'
import { BAR_INTERVAL_MS, type MinuteBar } from '../../../src/domain/impact/minute-bars.js'
import { DomainRangeError } from '../../../src/domain/errors.js'

const T0_MS = 1_675_209_600_000 // 2023-02-01T00:00Z

function relClose (actual: number, expected: number, relTol: number): boolean {
  return Math.abs(actual - expected) <= relTol * Math.max(Math.abs(expected), 1e-300)
}

// the hand-made bars of kline-samples.test.ts: lookback bars 0..2, then bars 3 and 4
const step = 0.01
const HAND_BARS: MinuteBar[] = [
  { openTimeMs: T0_MS, open: 100, high: 100, low: 100, close: 100, volumeBase: 1, takerBuyBase: 0 },
  { openTimeMs: T0_MS + 60_000, open: 100, high: 100 * Math.exp(step), low: 100 * Math.exp(step), close: 100 * Math.exp(step), volumeBase: 2, takerBuyBase: 2 },
  { openTimeMs: T0_MS + 120_000, open: 100, high: 100, low: 100, close: 100, volumeBase: 3, takerBuyBase: 1 },
  { openTimeMs: T0_MS + 180_000, open: 200, high: 210, low: 190, close: 205, volumeBase: 4, takerBuyBase: 3 },
  { openTimeMs: T0_MS + 240_000, open: 205, high: 230, low: 200, close: 220, volumeBase: 6, takerBuyBase: 1 }
]

/** Bars alternating close 100 / 101 (so volDaily > 0), volume 10, taker buys `takerBuyBase`. */
function zigzagBars (count: number, firstOpenMs: number, takerBuyBase = 7): MinuteBar[] {
  return Array.from({ length: count }, (_, i) => {
    const price = i % 2 === 0 ? 100 : 101
    return { openTimeMs: firstOpenMs + i * BAR_INTERVAL_MS, open: price, high: price, low: price, close: price, volumeBase: 10, takerBuyBase }
  })
}

t.test('defaults: lengths 1, 5, 15, 60, 240 minutes and a one-day lookback (issue 13 section 1)', async (t) => {
  t.same([...DEFAULT_ISTAR_LENGTHS_MINUTES], [1, 5, 15, 60, 240])
  t.equal(DEFAULT_ISTAR_LOOKBACK_MINUTES, 1440)
  // 1440 lookback bars + 240 more: 240 / k windows of each length k (window arithmetic of kline-samples)
  const windows = buildIStarWindows(zigzagBars(1440 + 240, T0_MS))
  for (const k of [1, 5, 15, 60, 240]) t.equal(windows.filter((w) => w.lengthMinutes === k).length, 240 / k, `${240 / k} windows of ${k} min`)
})

t.test('hand-made bars: Q, POV, |Q|/ADV, volDaily and the signed return by hand', async (t) => {
  const windows = buildIStarWindows(HAND_BARS, { lengthsMinutes: [2, 1], lookbackMinutes: 3 })
  t.same(windows.map((w) => w.lengthMinutes), [2, 1, 1], 'length 2 first (order given), then the two 1-minute windows')
  const [two, oneA, oneB] = windows
  const lookbackVol = Math.sqrt(2e-4) * Math.sqrt(1440) // log returns +0.01, -0.01: sample variance 2e-4 (kline-samples.test.ts)
  // 2-minute window, bars 3..4: Q = (2*3 - 4) + (2*1 - 6) = -2, window volume 4 + 6 = 10, ADV = mean(1, 2, 3) * 1440 = 2880
  t.equal(two.dayKey, '2023-02-01', 'UTC day of bar 3 (T0 + 3 min)')
  t.ok(relClose(two.pov, 2 / 10, 1e-12), `pov ${two.pov} = |Q| / window volume = 2/10 (rel 1e-12)`)
  t.ok(relClose(two.sizeFractionOfAdv, 2 / 2880, 1e-12), `|Q|/ADV ${two.sizeFractionOfAdv} = 2/2880 (rel 1e-12)`)
  t.ok(relClose(two.volDaily, lookbackVol, 1e-9), `volDaily ${two.volDaily} = sqrt(2e-4 * 1440) (rel 1e-9)`)
  // return 220/200 - 1 = 0.1, times sign(Q) = -1
  t.ok(relClose(two.signedReturn, -0.1, 1e-12), `signedReturn ${two.signedReturn} = -(220/200 - 1) (rel 1e-12)`)
  // 1-minute window at bar 3: Q = 2*3 - 4 = 2, volume 4, same lookback as above; return 205/200 - 1 = 0.025
  t.ok(relClose(oneA.pov, 0.5, 1e-12), `pov ${oneA.pov} = 2/4`)
  t.ok(relClose(oneA.sizeFractionOfAdv, 2 / 2880, 1e-12), `|Q|/ADV ${oneA.sizeFractionOfAdv} = 2/2880`)
  t.ok(relClose(oneA.signedReturn, 0.025, 1e-12), `signedReturn ${oneA.signedReturn} = +(205/200 - 1)`)
  // 1-minute window at bar 4: Q = 2*1 - 6 = -4, volume 6; lookback bars 1..3: ADV = mean(2, 3, 4) * 1440 = 4320,
  // log returns ln(100 / (100 e^0.01)) = -0.01 and ln(205/100): sample stdev of two values = |a - b| / sqrt(2)
  const expectedVol = (Math.abs(-0.01 - Math.log(2.05)) / Math.SQRT2) * Math.sqrt(1440)
  t.ok(relClose(oneB.pov, 4 / 6, 1e-12), `pov ${oneB.pov} = 4/6`)
  t.ok(relClose(oneB.sizeFractionOfAdv, 4 / 4320, 1e-12), `|Q|/ADV ${oneB.sizeFractionOfAdv} = 4/4320`)
  t.ok(relClose(oneB.volDaily, expectedVol, 1e-9), `volDaily ${oneB.volDaily} = |ln 2.05 + 0.01| / sqrt 2 * sqrt 1440 (rel 1e-9)`)
  t.ok(relClose(oneB.signedReturn, -(220 / 205 - 1), 1e-12), `signedReturn ${oneB.signedReturn} = -(220/205 - 1)`)
})

t.test('same market state as the kline impact samples of the same window', async (t) => {
  // buildKlineImpactSamples is the tested source of ADV, volDaily and Q on the same grid
  const bars = zigzagBars(400, T0_MS).map((b, i) => ({ ...b, volumeBase: 10 + (i % 7), takerBuyBase: (i * 3) % 11 })) // takerBuy <= 10 <= volume
  const windows = buildIStarWindows(bars, { lengthsMinutes: [15], lookbackMinutes: 60 })
  const samples = buildKlineImpactSamples(bars, { windowMinutes: 15, lookbackMinutes: 60 }).filter((s) => s.signedQtyBase !== 0)
  t.equal(windows.length, samples.length)
  windows.forEach((w, j) => {
    const s = samples[j]
    t.ok(relClose(w.sizeFractionOfAdv, Math.abs(s.signedQtyBase) / s.advBase, 1e-12), `window ${j}: |Q|/ADV (rel 1e-12)`)
    t.equal(w.volDaily, s.volDaily, `window ${j}: volDaily`)
    t.equal(w.signedReturn, Math.sign(s.signedQtyBase) * s.signedReturn, `window ${j}: sign(Q) * return`)
  })
})

t.test('skips Q = 0 windows and windows with a gap in them or their lookback', async (t) => {
  // Q = 2 * 5 - 10 = 0 on every bar: no window has a direction
  t.equal(buildIStarWindows(zigzagBars(50, T0_MS, 5), { lengthsMinutes: [1, 5], lookbackMinutes: 10 }).length, 0, 'Q = 0 everywhere: no window')
  // 40 bars, bar 20 removed: with lookback 10 and length 5, windows start at indices 10, 15, 20, 25, 30 (of 39 bars);
  // after the removal index i >= 20 is minute i + 1, so the gap lies between indices 19 and 20. Windows [10, 15) and
  // [15, 20) and their lookbacks end before it; [20, 25) and [25, 30) have it in their lookback; [30, 35) has the
  // contiguous lookback [20, 30) again.
  const bars = zigzagBars(40, T0_MS)
  bars.splice(20, 1)
  const windows = buildIStarWindows(bars, { lengthsMinutes: [5], lookbackMinutes: 10 })
  t.equal(windows.length, 3, 'windows at indices 10, 15 and 30; 20 and 25 skipped')
  t.same(windows.map((w) => w.lengthMinutes), [5, 5, 5])
  const fullCount = buildIStarWindows(zigzagBars(40, T0_MS), { lengthsMinutes: [5], lookbackMinutes: 10 }).length
  t.equal(fullCount, 6, 'without the gap: floor((40 - 10) / 5) = 6 windows')
})

t.test('dayKey is the UTC day of the window start, across midnight', async (t) => {
  // first bar 5 minutes before 2023-02-01T00:00Z; lookback 3, length 2: windows start at minutes -2, 0, 2
  const windows = buildIStarWindows(zigzagBars(9, T0_MS - 5 * BAR_INTERVAL_MS), { lengthsMinutes: [2], lookbackMinutes: 3 })
  t.same(windows.map((w) => w.dayKey), ['2023-01-31', '2023-02-01', '2023-02-01'])
})

t.test('property: pov in (0, 1], size > 0, volDaily > 0, signedReturn finite', async (t) => {
  const barArb = fc.record({ price: fc.double({ min: 1, max: 2, noNaN: true }), volumeBase: fc.double({ min: 0.1, max: 100, noNaN: true }), takerShare: fc.double({ min: 0, max: 1, noNaN: true }) })
  fc.assert(fc.property(fc.array(barArb, { minLength: 12, maxLength: 60 }), (raw) => {
    const bars: MinuteBar[] = raw.map((b, i) => ({ openTimeMs: T0_MS + i * BAR_INTERVAL_MS, open: b.price, high: b.price, low: b.price, close: b.price, volumeBase: b.volumeBase, takerBuyBase: b.takerShare * b.volumeBase }))
    for (const w of buildIStarWindows(bars, { lengthsMinutes: [1, 3], lookbackMinutes: 5 })) {
      if (!(w.pov > 0 && w.pov <= 1 && w.sizeFractionOfAdv > 0 && w.volDaily > 0 && Number.isFinite(w.signedReturn))) return false
    }
    return true
  }), { seed: 13, numRuns: 200 })
  t.pass('200 random bar sets (seed 13)')
})

t.test('bad options and bars throw DomainRangeError naming the field', async (t) => {
  t.throws(() => buildIStarWindows(HAND_BARS, { lengthsMinutes: [] }), { name: 'DomainRangeError', param: 'lengthsMinutes' })
  t.throws(() => buildIStarWindows(HAND_BARS, { lengthsMinutes: [5, 1.5] }), { name: 'DomainRangeError', param: 'lengthsMinutes[1]' })
  t.throws(() => buildIStarWindows(HAND_BARS, { lookbackMinutes: 2 }), { name: 'DomainRangeError', param: 'lookbackMinutes' })
  const noTaker = HAND_BARS.map((b) => ({ ...b, takerBuyBase: undefined }))
  t.throws(() => buildIStarWindows(noTaker, { lengthsMinutes: [1], lookbackMinutes: 3 }), DomainRangeError)
})
