import t from 'tap'
import fc from 'fast-check'
import { abdiRanaldoRelSpread, averageDailyVolumeBase, realisedVolDaily, trailingMarket } from '../../../src/domain/impact/trailing-market.js'
import { BAR_INTERVAL_MS, type MinuteBar } from '../../../src/domain/impact/minute-bars.js'
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

const T0_MS = 1_675_209_600_000 // 2023-02-01T00:00Z, any minute boundary works

function relClose (actual: number, expected: number, relTol: number): boolean {
  return Math.abs(actual - expected) <= relTol * Math.max(Math.abs(expected), 1e-300)
}

t.test('Abdi-Ranaldo: bid/ask-bouncing closes with high = ask, low = bid give S = ln(ask/bid)', async (t) => {
  // closed form: eta_t = (ln ask + ln bid)/2 for every bar and |c_t - eta_t| = ln(ask/bid)/2 with the
  // same value for the next bar's eta, so each product is (ln(ask/bid)/2)^2 and S = ln(ask/bid)
  const bid = 99.9
  const ask = 100.1
  const bars = Array.from({ length: 40 }, (_, i): MinuteBar => {
    const close = i % 3 === 0 ? bid : ask
    return { openTimeMs: T0_MS + i * BAR_INTERVAL_MS, open: close, high: ask, low: bid, close, volumeBase: 1 }
  })
  t.ok(relClose(abdiRanaldoRelSpread(bars), Math.log(ask / bid), 1e-9), 'S = ln(ask/bid) to rel 1e-9')
})

t.test('Abdi-Ranaldo: a negative average is clamped to 0', async (t) => {
  // bar 0 closes above its mid-range (c - eta0 > 0) and below the next bar's mid-range (c - eta1 < 0)
  const bars: MinuteBar[] = [
    { openTimeMs: T0_MS, open: 100, high: 101, low: 99, close: 100.5, volumeBase: 1 },
    { openTimeMs: T0_MS + 60_000, open: 102, high: 103, low: 101, close: 102, volumeBase: 1 }
  ]
  const product = (Math.log(100.5) - 0.5 * Math.log(101 * 99)) * (Math.log(100.5) - 0.5 * Math.log(103 * 101))
  t.ok(product < 0, 'the fixture really has a negative product')
  t.equal(abdiRanaldoRelSpread(bars), 0)
})

t.test('realisedVolDaily and averageDailyVolumeBase: known values and gap rejection', async (t) => {
  const closes = [100, 101, 100, 102]
  const bars = closes.map((close, i): MinuteBar => ({ openTimeMs: T0_MS + i * BAR_INTERVAL_MS, open: close, high: close, low: close, close, volumeBase: i + 1 }))
  // reference: sample stdev of ln(101/100), ln(100/101), ln(102/100), written out
  const r = [Math.log(1.01), Math.log(100 / 101), Math.log(1.02)]
  const mean = (r[0] + r[1] + r[2]) / 3
  const sd = Math.sqrt(r.reduce((acc, x) => acc + (x - mean) ** 2, 0) / 2)
  t.ok(relClose(realisedVolDaily(bars), sd * Math.sqrt(1440), 1e-12), 'vol = sample stdev * sqrt(1440), rel 1e-12')
  // mean(1,2,3,4) = 2.5 per minute -> 3600 per day (exact)
  t.equal(averageDailyVolumeBase(bars), 3600)

  const gapped = bars.map((b, i) => (i >= 2 ? { ...b, openTimeMs: b.openTimeMs + BAR_INTERVAL_MS } : b))
  t.throws(() => realisedVolDaily(gapped), DomainRangeError, 'a gap is rejected')
  t.throws(() => averageDailyVolumeBase(gapped), DomainRangeError)
  t.throws(() => realisedVolDaily(bars.slice(0, 2)), { name: 'DomainRangeError', param: 'bars' }, 'needs >= 3 bars')
  t.throws(() => averageDailyVolumeBase([]), { name: 'DomainRangeError', param: 'bars' }, 'needs >= 1 bar')
})

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
