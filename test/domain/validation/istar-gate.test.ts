import t from 'tap'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { outOfSampleR2 } from '../../../src/domain/impact/calibrate-istar.js'
import type { IStarParams } from '../../../src/domain/impact/istar.js'
import { gateIStar, identifiedCovariance } from '../../../src/domain/validation/istar-gate.js'
import { synthTimedWindows } from '../../support/istar-synth.js'

const HOUR_MS = 3_600_000
// the rate-dependent truth of calibrate-istar.test.ts, and a square-root law (b1 = 0, a2 = 0.5)
const RATE_TRUTH: IStarParams = { a1: 0.9, a2: 0.55, a4: 0.5, b1: 0.9 }
const SQRT_TRUTH: IStarParams = { a1: 0.6, a2: 0.5, a4: 0, b1: 0 }
// 7 days x 5 lengths x 20 windows, noise 0.05 sigma sqrt(L / 1 day): about a week of one symbol.
// Seeds 1..10 of this generator all give the outcomes asserted below (z well clear of 1.645);
// seed 3 is asserted.
const week = (params: IStarParams, seed = 3): ReturnType<typeof synthTimedWindows> => synthTimedWindows({ seed, params, days: 7, perDay: 20, noiseScale: 0.05 })

t.test('a rate-dependent truth: I-Star beats the square-root law, the published square-root law and zero; published', async (t) => {
  const verdict = gateIStar(week(RATE_TRUTH), SQRT_TRUTH, { gapMs: HOUR_MS })
  t.equal(verdict.status, 'publish', verdict.reasons.join('; '))
  t.equal(verdict.form, 'i-star')
  t.ok((verdict.validation?.zIStarOverSquareRootLaw ?? 0) > 1.645)
  t.same(verdict.split?.testDays, ['2026-01-06', '2026-01-07'], 'round(0.3 x 7) = 2 last days are tested')
  t.same(verdict.split?.trainDays, ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05'])
  t.equal(verdict.validation?.perLength.length, 5, 'one row per length')
  for (const row of verdict.validation?.perLength ?? []) {
    t.ok(row.testWindows > 0 && row.trainWindows > 0)
    t.ok(row.scores.istar !== undefined && row.scores.squareRootLaw !== undefined && row.scores.published !== undefined && row.scores.zero !== undefined, `${row.lengthMinutes} min: four scores`)
  }
  const pooled = verdict.validation?.pooled
  t.ok((pooled?.istar?.r2 ?? 0) > 0, 'positive out-of-sample R^2')
  t.equal(pooled?.zero?.r2 !== undefined && pooled.zero.r2 <= 0, true, 'zero has R^2 <= 0 (it is not the mean)')
  t.ok(verdict.calibration !== undefined && Math.abs(verdict.calibration.params.b1 - RATE_TRUTH.b1) < 0.3, `b1 ${verdict.calibration?.params.b1}`)
})

t.test('a square-root truth: the square-root law wins or ties and is the published form', async (t) => {
  const verdict = gateIStar(week(SQRT_TRUTH), RATE_TRUTH, { gapMs: HOUR_MS })
  t.equal(verdict.form, 'square-root-law', verdict.reasons.join('; '))
  t.equal(verdict.status, 'publish', 'it beats the (wrong) published I-Star model and zero')
  t.same(verdict.calibration?.fitted, ['a1'])
  t.equal(verdict.calibration?.params.a2, 0.5)
})

t.test('a published model equal to the truth is kept', async (t) => {
  for (const truth of [RATE_TRUTH, SQRT_TRUTH]) {
    const verdict = gateIStar(week(truth), truth, { gapMs: HOUR_MS })
    t.equal(verdict.status, 'keep', verdict.reasons.join('; '))
    t.equal(verdict.publish, false)
    t.match(verdict.reasons.join('; '), /not significantly better than the published model/)
  }
})

t.test('too few days, or a length with no test window: insufficient data, nothing published', async (t) => {
  const twoDays = synthTimedWindows({ seed: 1, params: RATE_TRUTH, days: 2, perDay: 20, noiseScale: 0.05 })
  const short = gateIStar(twoDays, SQRT_TRUTH, { gapMs: HOUR_MS })
  t.equal(short.status, 'insufficient data')
  t.equal(short.publish, false)
  t.match(short.reasons[0], /2 UTC day\(s\) of windows, need 3/)
  const noLongTest = week(RATE_TRUTH).filter((w) => !(w.lengthMinutes === 240 && w.dayKey >= '2026-01-06'))
  const missing = gateIStar(noLongTest, SQRT_TRUTH, { gapMs: HOUR_MS })
  t.equal(missing.status, 'insufficient data')
  t.match(missing.reasons[0], /no 240-minute window/)
  const embargoed = gateIStar(synthTimedWindows({ seed: 1, params: RATE_TRUTH, days: 3, perDay: 20, noiseScale: 0.05 }), SQRT_TRUTH, { gapMs: 30 * HOUR_MS })
  t.equal(embargoed.status, 'insufficient data', 'a 30-hour embargo leaves one training day of three')
  t.match(embargoed.reasons[0], /1 training day\(s\) after the 1800-minute embargo/)
  const flatTest = week(RATE_TRUTH).map((w) => w.dayKey >= '2026-01-06' ? { ...w, signedReturn: 0 } : w)
  const flat = gateIStar(flatTest, SQRT_TRUTH, { gapMs: HOUR_MS })
  t.equal(flat.status, 'insufficient data', 'test returns all 0: no length has a scale (lengthWeights)')
  t.match(flat.reasons[0], /every test window's signed return is 0/)
})

t.test('scores use lengthWeights: pooled SSE is the mean of the per-length relative MSE, R^2 is outOfSampleR2', async (t) => {
  const windows = week(RATE_TRUTH)
  const verdict = gateIStar(windows, SQRT_TRUTH, { gapMs: HOUR_MS })
  const v = verdict.validation
  if (v === undefined || verdict.split === undefined) throw new Error('no validation')
  const test = windows.filter((w) => w.startMs >= (verdict.split?.testFromMs ?? NaN))
  for (const model of ['istar', 'squareRootLaw', 'published', 'zero'] as const) {
    const meanOfLengths = v.perLength.reduce((a, row) => a + (row.scores[model]?.weightedSse ?? NaN), 0) / v.perLength.length
    t.ok(Math.abs((v.pooled[model]?.weightedSse ?? NaN) - meanOfLengths) < 1e-12, `${model}: pooled SSE = mean over lengths of MSE / m`)
  }
  // zero predicts 0: MSE / m = 1 on every length, by the definition of m (calibrate-istar.ts lengthWeights)
  for (const row of v.perLength) t.ok(Math.abs((row.scores.zero?.weightedSse ?? NaN) - 1) < 1e-12, `${row.lengthMinutes} min: zero scores 1`)
  t.ok(Math.abs((v.pooled.published?.r2 ?? NaN) - outOfSampleR2(SQRT_TRUTH, test)) < 1e-12, 'pooled R^2 of the published model = outOfSampleR2 on the test windows')
})

t.test('the embargo: no training window ends within gapMs of the first test day', async (t) => {
  const windows = week(RATE_TRUTH)
  const gapMs = 6 * HOUR_MS
  const verdict = gateIStar(windows, SQRT_TRUTH, { gapMs })
  const testFromMs = verdict.split?.testFromMs ?? NaN
  t.equal(testFromMs, Date.UTC(2026, 0, 6))
  const trainable = windows.filter((w) => w.startMs + w.lengthMinutes * 60_000 <= testFromMs - gapMs).length
  t.equal(verdict.split?.trainWindows, trainable)
  t.ok((verdict.split?.embargoedWindows ?? 0) > 0, 'windows of the evening before the test days are left out')
})

t.test('bad options throw naming the option', async (t) => {
  const windows = week(RATE_TRUTH)
  t.throws(() => gateIStar(windows, SQRT_TRUTH, { gapMs: -1 }), DomainRangeError)
  t.throws(() => gateIStar(windows, SQRT_TRUTH, { gapMs: 0, testFraction: 1 }), { name: 'DomainRangeError', param: 'testFraction' })
  t.throws(() => gateIStar(windows, SQRT_TRUTH, { gapMs: 0, minDays: 2 }), { name: 'DomainRangeError', param: 'minDays' })
  t.throws(() => gateIStar([{ ...windows[0], startMs: NaN }], SQRT_TRUTH, { gapMs: 0 }), { name: 'DomainRangeError', param: 'windows[0].startMs' })
})

t.test('identifiedCovariance leaves out fixed and unidentified rows, so no NaN remains', async (t) => {
  const nan = NaN
  const cov = identifiedCovariance({
    covariance: [[4, 0.1, nan, 0], [0.1, 9, nan, 0], [nan, nan, nan, nan], [0, 0, nan, 0]],
    stdErrors: { a1: 2, a2: 3, a4: nan, b1: 0 },
    unidentified: ['a4']
  }, ['a1', 'a2', 'a4'])
  t.same(cov.names, ['a1', 'a2'])
  t.same(cov.matrix, [[4, 0.1], [0.1, 9]])
  t.same(cov.stdErr, { a1: 2, a2: 3 })
  t.same(cov.leftOut, { fixed: ['b1'], unidentified: ['a4'] })
})
