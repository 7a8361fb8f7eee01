import t from 'tap'
import fc from 'fast-check'
import { walkForwardSplit, dailySquaredErrors, MS_PER_DAY, type TimedSample } from '../../../src/domain/validation/walk-forward.js'
import { DomainRangeError } from '../../../src/domain/errors.js'

const DAY0_MS = 1_675_209_600_000 // 2023-02-01T00:00Z (a UTC midnight: 19389 * 86,400,000)
const MINUTE_MS = 60_000

function sample (startMs: number, durationMs: number, signedReturn = 0): TimedSample {
  return { startMs, endMs: startMs + durationMs, signedQtyBase: 1, advBase: 100, volDaily: 0.02, relSpread: 0.0001, signedReturn }
}

t.test('split by hand: 10 daily samples, testFraction 0.3, gap 1 day', async (t) => {
  // span [day 0, day 10] (each sample lasts one day); cut = day 0 + 0.7 * 10 days = day 7;
  // test = samples starting on days 7, 8, 9; train = samples ending by day 7 - 1 = day 6, i.e. days 0..5.
  const samples = Array.from({ length: 10 }, (_, d) => sample(DAY0_MS + d * MS_PER_DAY, MS_PER_DAY)).reverse()
  const split = walkForwardSplit(samples, { gapMs: MS_PER_DAY })
  t.same(split.test.map((s) => (s.startMs - DAY0_MS) / MS_PER_DAY), [7, 8, 9], 'test days, ascending')
  t.same(split.train.map((s) => (s.startMs - DAY0_MS) / MS_PER_DAY), [0, 1, 2, 3, 4, 5], 'train days; day 6 is the embargo')
  t.equal(split.trainFromMs, DAY0_MS)
  t.equal(split.trainToMs, DAY0_MS + 6 * MS_PER_DAY)
  t.equal(split.testFromMs, DAY0_MS + 7 * MS_PER_DAY)
  t.equal(split.testToMs, DAY0_MS + 10 * MS_PER_DAY)
  t.equal(samples[0].startMs, DAY0_MS + 9 * MS_PER_DAY, 'input order untouched')
  const noGap = walkForwardSplit(samples, { gapMs: 0, testFraction: 0.5 })
  t.same([noGap.train.length, noGap.test.length], [5, 5], 'gap 0, half: a window ending exactly where the test starts is train')
})

t.test('split: no leakage (property, seed 4)', async (t) => {
  const arbSample = fc.record({ startMin: fc.integer({ min: 0, max: 20_000 }), durMin: fc.integer({ min: 0, max: 300 }) })
  fc.assert(fc.property(
    fc.array(arbSample, { minLength: 1, maxLength: 60 }),
    fc.double({ min: 0.01, max: 0.99, noNaN: true }),
    fc.integer({ min: 0, max: 3000 }),
    (raw, testFraction, gapMin) => {
      const samples = raw.map((r) => sample(DAY0_MS + r.startMin * MINUTE_MS, r.durMin * MINUTE_MS))
      let split
      try {
        split = walkForwardSplit(samples, { testFraction, gapMs: gapMin * MINUTE_MS })
      } catch (err) {
        if (err instanceof DomainRangeError && err.param === 'samples') return true // nothing left on one side
        throw err
      }
      const lastTrainEnd = Math.max(...split.train.map((s) => s.endMs))
      const firstTestStart = Math.min(...split.test.map((s) => s.startMs))
      if (!(lastTrainEnd <= firstTestStart - gapMin * MINUTE_MS)) return false // embargo holds
      if (firstTestStart !== split.testFromMs || lastTrainEnd !== split.trainToMs) return false
      if (split.train.some((s) => split.test.includes(s))) return false // disjoint
      const t0 = Math.min(...samples.map((s) => s.startMs))
      const t1 = Math.max(...samples.map((s) => s.endMs))
      const cut = t0 + (1 - testFraction) * (t1 - t0)
      if (split.test.length !== samples.filter((s) => s.startMs >= cut).length) return false // test = exactly the last part
      for (let i = 1; i < split.test.length; i++) if (split.test[i].startMs < split.test[i - 1].startMs) return false
      return split.train.length + split.test.length <= samples.length
    }
  ), { seed: 4, numRuns: 400 })
  t.pass('no training window ends within gapMs of the first test window, for every generated set')
})

t.test('split rejects bad options and empty sides', async (t) => {
  const samples = [sample(DAY0_MS, MINUTE_MS), sample(DAY0_MS + MS_PER_DAY, MINUTE_MS)]
  for (const testFraction of [0, 1, -0.1, NaN]) {
    t.throws(() => walkForwardSplit(samples, { testFraction, gapMs: 0 }), { name: 'DomainRangeError', param: 'testFraction' })
  }
  t.throws(() => walkForwardSplit(samples, { gapMs: -1 }), { name: 'DomainRangeError', param: 'gapMs' })
  t.throws(() => walkForwardSplit([], { gapMs: 0 }), { name: 'DomainRangeError', param: 'samples' })
  t.throws(() => walkForwardSplit(samples, { gapMs: 2 * MS_PER_DAY }), { name: 'DomainRangeError', param: 'samples', rule: 'non-empty training period' })
  t.throws(() => walkForwardSplit([{ ...samples[0], endMs: samples[0].startMs - 1 }], { gapMs: 0 }), { name: 'DomainRangeError', param: 'samples[0].startMs' })
})

t.test('daily squared errors by hand', async (t) => {
  // Day 0: returns 0.01 and -0.03, prediction 0.01 -> errors 0, -0.04 -> mse (0 + 0.0016) / 2 = 0.0008.
  // Day 1 (a sample starting at 00:00 exactly): return 0.002, prediction 0.01 -> mse 0.008^2 = 6.4e-5.
  // A sample starting at 23:59 of day 0 and ending on day 1 belongs to day 0 (bucketed by startMs).
  const test = [
    sample(DAY0_MS + MS_PER_DAY, MINUTE_MS, 0.002),
    sample(DAY0_MS + 5 * MINUTE_MS, MINUTE_MS, 0.01),
    sample(DAY0_MS + MS_PER_DAY - MINUTE_MS, 5 * MINUTE_MS, -0.03)
  ]
  const daily = dailySquaredErrors(test, () => 0.01)
  t.equal(daily.length, 2)
  t.equal(daily[0].dayStartMs, DAY0_MS)
  t.equal(daily[0].n, 2)
  t.ok(Math.abs(daily[0].mse - 0.0008) <= 1e-15, `day 0 mse ${daily[0].mse} = 0.0008 (hand, abs tol 1e-15)`)
  t.equal(daily[1].dayStartMs, DAY0_MS + MS_PER_DAY)
  t.equal(daily[1].n, 1)
  t.ok(Math.abs(daily[1].mse - 6.4e-5) <= 1e-17, `day 1 mse ${daily[1].mse} = 6.4e-5 (hand, abs tol 1e-17)`)
  const hourly = dailySquaredErrors(test, () => 0, 3_600_000)
  t.same(hourly.map((d) => d.n), [1, 1, 1], 'hour buckets split day 0 in two')
  t.ok(Math.abs(hourly[1].mse - 9e-4) <= 1e-15, 'zero predictor: mse = return^2 (0.03^2)')
  t.throws(() => dailySquaredErrors(test, () => 0, 0), { name: 'DomainRangeError', param: 'bucketMs' })
  t.same(dailySquaredErrors([], () => 0), [], 'no samples, no days')
})
