import t from 'tap'
import fc from 'fast-check'
import { abdiRanaldoRelSpread, averageDailyVolumeBase, BAR_INTERVAL_MS, realisedVolDaily, trailingMarket, type MinuteBar } from '../../../src/domain/impact/kline-samples.js'
import { DomainRangeError } from '../../../src/domain/errors.js'

// Reference: the direct computation the job used before trailingMarket (slice the bars that closed
// before t, keep the contiguous tail, call the domain's one-window functions on it). Tolerance:
// 1e-9 relative (prefix sums differ from direct sums only by float rounding).

function reference (bars: readonly MinuteBar[], tMs: number, vol: number, adv: number, minBars: number) {
  const closed = bars.filter((b) => b.openTimeMs + BAR_INTERVAL_MS <= tMs)
  const window = closed.slice(Math.max(0, closed.length - Math.max(vol, adv)))
  let from = window.length - 1
  while (from > 0 && window[from].openTimeMs - window[from - 1].openTimeMs === BAR_INTERVAL_MS) from--
  const tail = window.slice(Math.max(from, 0))
  if (tail.length < minBars) return undefined
  const volBars = tail.slice(-vol)
  return { advBase: averageDailyVolumeBase(tail.slice(-adv)), volDaily: realisedVolDaily(volBars), relSpread: abdiRanaldoRelSpread(volBars) }
}

/** A random walk of 1-minute bars with gaps (missing minutes) where `gapAt` says. */
function series (seedPrices: number[], gaps: number[], volumes: number[]): MinuteBar[] {
  const bars: MinuteBar[] = []
  let t = 1_700_000_000_000
  let price = 100
  for (let i = 0; i < seedPrices.length; i++) {
    if (gaps.includes(i)) t += 7 * BAR_INTERVAL_MS
    const open = price
    price = price * Math.exp(seedPrices[i])
    const high = Math.max(open, price) * (1 + Math.abs(seedPrices[(i + 1) % seedPrices.length]) / 2)
    const low = Math.min(open, price) * (1 - Math.abs(seedPrices[(i + 2) % seedPrices.length]) / 2)
    bars.push({ openTimeMs: t, open, high, low, close: price, volumeBase: volumes[i % volumes.length] })
    t += BAR_INTERVAL_MS
  }
  return bars
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(b), 1e-300)

t.test('trailingMarket equals the direct per-window computation at every query time, gaps included', async (t) => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: -10_000, max: 10_000 }).map((r) => r / 1e6), { minLength: 3, maxLength: 400 }),
    fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 4 }),
    fc.array(fc.integer({ min: 0, max: 10_000_000 }).map((v) => v / 1000), { minLength: 1, maxLength: 20 }),
    fc.integer({ min: 3, max: 120 }), fc.integer({ min: 3, max: 200 }), fc.integer({ min: 3, max: 60 }),
    (returns, gaps, volumes, vol, adv, minBars) => {
      const bars = series(returns, gaps, volumes)
      const at = trailingMarket(bars, { volWindowMinutes: vol, advWindowMinutes: adv, minBars })
      const first = bars[0].openTimeMs
      const last = bars[bars.length - 1].openTimeMs + 2 * BAR_INTERVAL_MS
      for (let q = first - BAR_INTERVAL_MS; q <= last; q += 17_000) {
        const want = reference(bars, q, vol, adv, minBars)
        const got = at(q)
        if (want === undefined) { if (got !== undefined) return false; continue }
        if (got === undefined) return false
        if (!close(got.advBase, want.advBase) || !close(got.relSpread, want.relSpread)) return false
        if (!(Math.abs(got.volDaily - want.volDaily) <= 1e-9 * want.volDaily + 1e-15)) return false
      }
      return true
    }), { numRuns: 200, seed: 20261207 })
  t.pass('200 random series agree')
})

t.test('no look-ahead: a bar still open at t never enters the state', async (t) => {
  const bars = series(Array.from({ length: 100 }, (_, i) => Math.sin(i) / 200), [], [5, 10])
  const at = trailingMarket(bars, { volWindowMinutes: 60, advWindowMinutes: 60, minBars: 60 })
  const t60 = bars[59].openTimeMs + BAR_INTERVAL_MS
  t.equal(at(t60 - 1), undefined, '59 closed bars are fewer than minBars')
  t.ok(at(t60) !== undefined, 'the 60th bar closes at its open + 1 minute')
  const shocked = bars.map((b, i) => i === 60 ? { ...b, close: b.close * 2, high: b.high * 2, volumeBase: 1e9 } : b)
  t.same(trailingMarket(shocked, { volWindowMinutes: 60, advWindowMinutes: 60, minBars: 60 })(t60 + 59_999), at(t60 + 59_999), 'bar 60 is open until t60 + 1 minute')
})

t.test('options and bars are validated', async (t) => {
  const bars = series([0.001, 0.002, -0.001], [], [1])
  t.throws(() => trailingMarket(bars, { volWindowMinutes: 2, advWindowMinutes: 60, minBars: 60 }), DomainRangeError)
  t.throws(() => trailingMarket(bars, { volWindowMinutes: 60, advWindowMinutes: 60.5, minBars: 60 }), DomainRangeError)
  t.throws(() => trailingMarket([...bars, { ...bars[0] }], { volWindowMinutes: 60, advWindowMinutes: 60, minBars: 60 }), DomainRangeError, 'non-ascending')
  t.throws(() => trailingMarket([{ ...bars[0], low: 0 }], { volWindowMinutes: 60, advWindowMinutes: 60, minBars: 60 }), DomainRangeError, 'price 0')
})
