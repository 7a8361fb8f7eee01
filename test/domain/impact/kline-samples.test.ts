import t from 'tap'
import fc from 'fast-check'
import { buildKlineImpactSamples } from '../../../src/domain/impact/kline-samples.js'
import { BAR_INTERVAL_MS, type MinuteBar } from '../../../src/domain/impact/minute-bars.js'

const T0_MS = 1_675_209_600_000 // 2023-02-01T00:00Z, any minute boundary works

/** A flat bar at `price` with volume and taker-buy volume. */
function flatBar (index: number, price: number, volumeBase = 10, takerBuyBase = 5): MinuteBar {
  return { openTimeMs: T0_MS + index * BAR_INTERVAL_MS, open: price, high: price, low: price, close: price, volumeBase, takerBuyBase }
}

function flatBars (count: number): MinuteBar[] {
  return Array.from({ length: count }, (_, i) => flatBar(i, 100))
}

function relClose (actual: number, expected: number, relTol: number): boolean {
  return Math.abs(actual - expected) <= relTol * Math.max(Math.abs(expected), 1e-300)
}

t.test('window arithmetic: windows start at L, L+k, ...; count = floor((n - L) / k)', async (t) => {
  // closed form: with n contiguous bars there are floor((n - L) / k) full windows after the lookback
  for (const [n, lookback, k] of [[20, 3, 2], [21, 3, 2], [30, 5, 4], [10, 10, 1], [12, 4, 9]]) {
    const samples = buildKlineImpactSamples(flatBars(n), { windowMinutes: k, lookbackMinutes: lookback })
    t.equal(samples.length, Math.max(0, Math.floor((n - lookback) / k)), `n=${n} L=${lookback} k=${k}`)
    samples.forEach((s, j) => {
      t.equal(s.startMs, T0_MS + (lookback + j * k) * BAR_INTERVAL_MS, `startMs of window ${j}`)
      t.equal(s.endMs, s.startMs + k * BAR_INTERVAL_MS, `endMs of window ${j} is the close of its last bar`)
    })
  }
  t.equal(buildKlineImpactSamples(flatBars(100), { windowMinutes: 5 }).length, 0, 'default 1440-bar lookback: 100 bars give no window')
  t.equal(buildKlineImpactSamples(flatBars(1440 + 15), { windowMinutes: 5 }).length, 3, 'default lookback 1440: 15 bars after it give 3 windows of 5')
})

t.test('hand-made bars: Q, return, advBase, volDaily and relSpread match hand computations', async (t) => {
  // lookback bars 0..2, window bars 3..4
  const step = 0.01
  const bars: MinuteBar[] = [
    { openTimeMs: T0_MS, open: 100, high: 100, low: 100, close: 100, volumeBase: 1, takerBuyBase: 0 },
    { openTimeMs: T0_MS + 60_000, open: 100, high: 100 * Math.exp(step), low: 100 * Math.exp(step), close: 100 * Math.exp(step), volumeBase: 2, takerBuyBase: 2 },
    { openTimeMs: T0_MS + 120_000, open: 100, high: 100, low: 100, close: 100, volumeBase: 3, takerBuyBase: 1 },
    { openTimeMs: T0_MS + 180_000, open: 200, high: 210, low: 190, close: 205, volumeBase: 4, takerBuyBase: 3 },
    { openTimeMs: T0_MS + 240_000, open: 205, high: 230, low: 200, close: 220, volumeBase: 6, takerBuyBase: 1 }
  ]
  const [sample, ...rest] = buildKlineImpactSamples(bars, { windowMinutes: 2, lookbackMinutes: 3 })
  t.equal(rest.length, 0, 'one window')
  t.equal(sample.startMs, T0_MS + 180_000)
  t.equal(sample.endMs, T0_MS + 300_000)
  // Q = (2*3 - 4) + (2*1 - 6) = 2 - 4 = -2 (exact in binary floating point)
  t.equal(sample.signedQtyBase, -2, 'Q = sum(2*takerBuy - volume) over the window only')
  // r = close(bar 4) / open(bar 3) - 1 = 220/200 - 1 = 0.1
  t.ok(relClose(sample.signedReturn, 0.1, 1e-12), `signedReturn ${sample.signedReturn} vs 0.1 (rel 1e-12)`)
  // ADV = mean(1, 2, 3) * 1440 = 2880 (lookback volumes only; window volumes 4 and 6 excluded)
  t.ok(relClose(sample.advBase, 2880, 1e-12), `advBase ${sample.advBase} vs 2880 (rel 1e-12)`)
  // log returns +0.01, -0.01: mean 0, sample variance (1e-4 + 1e-4) / 1 = 2e-4
  const expectedVol = Math.sqrt(2e-4) * Math.sqrt(1440)
  t.ok(relClose(sample.volDaily, expectedVol, 1e-9), `volDaily ${sample.volDaily} vs sqrt(2e-4 * 1440) = ${expectedVol} (rel 1e-9)`)
  // high = low = close on every lookback bar, so c_t - eta_t = 0 and the estimate is exactly 0
  t.equal(sample.relSpread, 0, 'relSpread 0 when close = high = low')
})

t.test('gaps: windows whose lookback or window spans a gap are skipped, later ones kept', async (t) => {
  // 30 bars, missing minute between index 11 and 12 (bars 12.. are shifted by one minute)
  const bars = flatBars(30).map((b, i) => (i >= 12 ? { ...b, openTimeMs: b.openTimeMs + BAR_INTERVAL_MS } : b))
  const samples = buildKlineImpactSamples(bars, { windowMinutes: 2, lookbackMinutes: 4 })
  // candidate starts (indices) 4, 6, 8, 10, 12, ..., 28. Start s is usable iff bars s-4 .. s+1 contain
  // no gap, i.e. s + 1 <= 11 or s - 4 >= 12: s in {4, 6, 8, 10} or s >= 16 (16, 18, ..., 28)
  const expectedIndices = [4, 6, 8, 10, 16, 18, 20, 22, 24, 26, 28]
  t.same(samples.map((s) => s.startMs), expectedIndices.map((i) => bars[i].openTimeMs), 'usable windows by hand')
  for (const s of samples) t.equal(s.endMs - s.startMs, 2 * BAR_INTERVAL_MS, 'no window spans a gap')
})

t.test('input validation throws DomainRangeError naming the parameter', async (t) => {
  const bars = flatBars(10)
  t.throws(() => buildKlineImpactSamples(bars, { windowMinutes: 0 }), { name: 'DomainRangeError', param: 'windowMinutes' })
  t.throws(() => buildKlineImpactSamples(bars, { windowMinutes: 1.5 }), { name: 'DomainRangeError', param: 'windowMinutes' })
  t.throws(() => buildKlineImpactSamples(bars, { windowMinutes: 1, lookbackMinutes: 2 }), { name: 'DomainRangeError', param: 'lookbackMinutes' })
  const swapped = [bars[1], bars[0], ...bars.slice(2)]
  t.throws(() => buildKlineImpactSamples(swapped, { windowMinutes: 1, lookbackMinutes: 3 }), { name: 'DomainRangeError', param: 'bars[1].openTimeMs', rule: 'strictly ascending' })
  const noTaker = bars.map((b, i) => (i === 4 ? { ...b, takerBuyBase: undefined } : b))
  t.throws(() => buildKlineImpactSamples(noTaker, { windowMinutes: 1, lookbackMinutes: 3 }), { name: 'DomainRangeError', param: 'bars[4].takerBuyBase' })
  const badPrice = bars.map((b, i) => (i === 3 ? { ...b, low: 0 } : b))
  t.throws(() => buildKlineImpactSamples(badPrice, { windowMinutes: 1, lookbackMinutes: 3 }), { name: 'DomainRangeError', param: 'bars[3].low' })
})

/** Random contiguous bars with OHLC consistent and takerBuy <= volume. */
const barsArbitrary = fc.array(
  fc.record({
    logStep: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
    upWick: fc.double({ min: 0, max: 0.005, noNaN: true }),
    downWick: fc.double({ min: 0, max: 0.005, noNaN: true }),
    volumeBase: fc.double({ min: 0, max: 1000, noNaN: true }),
    takerShare: fc.double({ min: 0, max: 1, noNaN: true })
  }),
  { minLength: 12, maxLength: 60 }
).map((steps) => {
  let price = 50
  return steps.map((s, i): MinuteBar => {
    const open = price
    const close = open * Math.exp(s.logStep)
    price = close
    return {
      openTimeMs: T0_MS + i * BAR_INTERVAL_MS,
      open,
      high: Math.max(open, close) * Math.exp(s.upWick),
      low: Math.min(open, close) * Math.exp(-s.downWick),
      close,
      volumeBase: s.volumeBase,
      takerBuyBase: s.volumeBase * s.takerShare
    }
  })
})

t.test('no look-ahead: changing any bar at or after a window start never changes its advBase/volDaily/relSpread', async (t) => {
  fc.assert(fc.property(
    barsArbitrary,
    fc.integer({ min: 1, max: 4 }),
    fc.integer({ min: 3, max: 8 }),
    fc.nat(),
    fc.double({ min: 0.5, max: 2, noNaN: true }),
    (bars, k, lookback, pick, factor) => {
      const before = buildKlineImpactSamples(bars, { windowMinutes: k, lookbackMinutes: lookback })
      if (before.length === 0) return true
      const target = before[pick % before.length]
      const startIndex = bars.findIndex((b) => b.openTimeMs === target.startMs)
      const changedIndex = startIndex + (pick % (bars.length - startIndex)) // inside or after the window
      const changed = bars.map((b, i) => (i === changedIndex
        ? { ...b, open: b.open * factor, high: b.high * factor * 1.01, low: b.low * factor / 1.01, close: b.close * factor, volumeBase: b.volumeBase * factor * 2 + 1, takerBuyBase: 0 }
        : b))
      const after = buildKlineImpactSamples(changed, { windowMinutes: k, lookbackMinutes: lookback })
      const same = after.find((s) => s.startMs === target.startMs)
      return same !== undefined && same.advBase === target.advBase && same.volDaily === target.volDaily && same.relSpread === target.relSpread
    }
  ), { seed: 42, numRuns: 300 })
  t.pass('property held for 300 seeded runs (exact equality)')
})

t.test('matches an independent slice-based reference implementation (rel 1e-12, abs 1e-12 below 1)', async (t) => {
  // reference written here from the definitions, with array slices and reduce
  function reference (bars: MinuteBar[], k: number, lookback: number) {
    const out = []
    for (let s = lookback; s + k <= bars.length; s += k) {
      const look = bars.slice(s - lookback, s)
      const win = bars.slice(s, s + k)
      const rets = look.slice(1).map((b, i) => Math.log(b.close / look[i].close))
      const m = rets.reduce((a, x) => a + x, 0) / rets.length
      const vol = Math.sqrt(rets.reduce((a, x) => a + (x - m) ** 2, 0) / (rets.length - 1)) * Math.sqrt(1440)
      const eta = look.map((b) => (Math.log(b.high) + Math.log(b.low)) / 2)
      const prods = look.slice(0, -1).map((b, i) => (Math.log(b.close) - eta[i]) * (Math.log(b.close) - eta[i + 1]))
      const spread = Math.sqrt(Math.max(0, 4 * prods.reduce((a, x) => a + x, 0) / prods.length))
      out.push({
        signedQtyBase: win.reduce((a, b) => a + 2 * (b.takerBuyBase as number) - b.volumeBase, 0),
        advBase: look.reduce((a, b) => a + b.volumeBase, 0) / lookback * 1440,
        volDaily: vol,
        relSpread: spread,
        signedReturn: win[win.length - 1].close / win[0].open - 1
      })
    }
    return out
  }
  fc.assert(fc.property(barsArbitrary, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 3, max: 10 }), (bars, k, lookback) => {
    const got = buildKlineImpactSamples(bars, { windowMinutes: k, lookbackMinutes: lookback })
    const want = reference(bars, k, lookback)
    if (got.length !== want.length) return false
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)) // rel 1e-12, abs below 1
    return got.every((g, i) => close(g.signedQtyBase, want[i].signedQtyBase) && close(g.advBase, want[i].advBase) &&
      close(g.volDaily, want[i].volDaily) && close(g.relSpread, want[i].relSpread) && close(g.signedReturn, want[i].signedReturn))
  }), { seed: 42, numRuns: 200 })
  t.pass('agreed on 200 seeded random bar sets')
})
