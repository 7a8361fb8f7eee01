// The execution-model part of `npm run eval` on seeded synthetic windows (no data needed):
// evaluateIStar picks the winner by pooled out-of-sample R^2 and formatIStarSection prints it.
import t from 'tap'
import { windowImpact, type IStarWindow } from '../../src/domain/impact/calibrate-istar.js'
import type { IStarParams } from '../../src/domain/impact/istar.js'
import { createRng } from '../../src/domain/learn/rng.js'
import { evaluateIStar, ISTAR_EVAL_SETTINGS, pooledSstShares, speedSentence, type IStarEvalSettings, type IStarFitSummary } from '../../scripts/lib/eval-istar.js'
import { formatIStarSection } from '../../scripts/lib/eval-istar-report.js'
import { istarSection } from '../../scripts/lib/models-istar.js'

const LENGTHS = [1, 5, 15, 60, 240]
const SETTINGS: IStarEvalSettings = { ...ISTAR_EVAL_SETTINGS, bootstrap: { replicates: 20, seed: 5 } }

/** As in calibrate-istar.test.ts: POV log-uniform in [0.01, 0.6], |Q|/ADV = POV L/1440 e^z, MI + noise. */
function synth (seed: number, params: IStarParams, days: number, perDay: number, noiseScale = 0.05): IStarWindow[] {
  const rng = createRng(seed)
  const out: IStarWindow[] = []
  for (let d = 0; d < days; d++) {
    const volDaily = 0.02 + 0.03 * rng.next()
    for (const lengthMinutes of LENGTHS) {
      for (let k = 0; k < perDay; k++) {
        const pov = Math.exp(Math.log(0.01) + rng.next() * Math.log(60))
        const w = { dayKey: `d${seed}-${d}`, lengthMinutes, sizeFractionOfAdv: pov * (lengthMinutes / 1440) * Math.exp(rng.normal()), pov, volDaily, signedReturn: 0 }
        w.signedReturn = windowImpact(params, w) + noiseScale * volDaily * Math.sqrt(lengthMinutes / 1440) * rng.normal()
        out.push(w)
      }
    }
  }
  return out
}

t.test('pooledSstShares by hand', async (t) => {
  // weights 1 / (L * sum of squared returns of the length), L = 2 (lengthWeights): length 1,
  // returns 1, -1: 1 / (2 * 2) = 1/4 each; length 2, return 3: 1 / (2 * 9) = 1/18; weighted mean
  // (1/4 - 1/4 + 3/18) / (1/4 + 1/4 + 1/18) = 0.3; parts 1/4 (0.7^2 + 1.3^2) = 0.545 and
  // 1/18 * 2.7^2 = 0.405 of 0.95 (tolerance 1e-12): near 1/2 each, off by the weighted mean's square
  const w = (lengthMinutes: number, signedReturn: number): IStarWindow => ({ dayKey: 'd', lengthMinutes, sizeFractionOfAdv: 0.01, pov: 0.1, volDaily: 0.03, signedReturn })
  const shares = pooledSstShares([w(1, 1), w(1, -1), w(2, 3)])
  t.ok(Math.abs((shares.get(1) ?? NaN) - 0.545 / 0.95) < 1e-12, `length 1: ${shares.get(1)}`)
  t.ok(Math.abs((shares.get(2) ?? NaN) - 0.405 / 0.95) < 1e-12, `length 2: ${shares.get(2)}`)
})

t.test('speedSentence: an effect and SE both 0 (z = 0 / 0), and an unidentified rate part', async (t) => {
  const fit = (stdErr: number | null, z: number | null): IStarFitSummary => ({ speedEffect: { povLow: 0.037, povHigh: 0.61, ratio: 0, stdErr, z }, rateTermDistinguishable: false }) as unknown as IStarFitSummary
  const pooled = { istar: 0.12, sqrt: 0.15 }
  t.match(speedSentence(fit(0, null), 'square-root-law', pooled), /by \+0 % ± 0 % \(z undefined: the effect and its standard error are both 0\): the rate part cannot be told from zero; out of sample/)
  t.match(speedSentence(fit(null, null), 'square-root-law', pooled), /by \+0 %: the rate part is not identified/)
})

t.test('a strong rate part: I-Star wins out of sample, the table and the embedded section say so', async (t) => {
  const truth = { a1: 0.9, a2: 0.55, a4: 0.5, b1: 0.9 } // the TRUTH of calibrate-istar.test.ts
  const e = evaluateIStar(synth(1, truth, 20, 6), synth(2, truth, 10, 6), SETTINGS)
  t.equal(e.winner, 'i-star', `pooled R^2 I-Star ${e.pooledOutOfSampleR2.istar} > square-root law ${e.pooledOutOfSampleR2.sqrt}`)
  t.ok(e.pooledOutOfSampleR2.istar > e.pooledOutOfSampleR2.sqrt)
  t.same(e.publishedParams, e.joint.istar.params)
  t.same(e.perLength.map((r) => [r.lengthMinutes, r.windows.train, r.windows.test]), LENGTHS.map((k) => [k, 120, 60]), '20 x 6 train and 10 x 6 test windows per length')
  const shareSum = e.perLength.reduce((a, r) => a + r.shareOfPooledSst, 0)
  t.ok(Math.abs(shareSum - 1) < 1e-12, `SST shares sum to 1 (${shareSum})`)
  t.ok(e.joint.istar.rateTermDistinguishable, `speed effect z ${e.joint.istar.speedEffect.z}`)
  t.match(e.joint.istar.stdErrMethod, /day-block bootstrap \(20 replicates\)/)
  t.match(e.joint.sqrt.stdErrMethod, /day-clustered/)
  t.same(e.joint.sqrt.params.a2, 0.5, 'the square-root law holds a2 at 0.5')

  const text = formatIStarSection(e).join('\n')
  t.match(text, /\| length +\| train \/ test windows/)
  for (const k of LENGTHS) t.match(text, new RegExp(`\\| ${k} min +\\| 120 / 60 `), `a row for ${k} min`)
  t.match(text, /\| I-Star +\|/)
  t.match(text, /\| square-root law +\|/)
  t.match(text, /the rate part can be told from zero/)
  t.match(text, /Published execution model \(embedded "istar"\): I-Star/)

  const section = istarSection(e)
  t.equal(section.calibration.form, 'i-star')
  t.same(section.calibration.horizonMinutesRange, { min: 1, max: 240 })
  t.same(section.calibration.povRange, e.povRange)
  t.notMatch(JSON.stringify(section), /null|NaN|Infinity/, 'the embedded section holds no null (GET /v1/models carries none)')
})

t.test('no rate part: the square-root law is published as b1 = 0, a4 = 0, a2 = 0.5', async (t) => {
  // square-root-law data, noisy training (noise 2 sigma sqrt(L/1 day)) and clean test windows: I-Star's
  // extra parameters fit the training noise, so the law itself predicts the test windows better (seeded)
  const truth = { a1: 0.9, a2: 0.5, a4: 0, b1: 0 }
  const e = evaluateIStar(synth(3, truth, 12, 4, 2), synth(4, truth, 10, 6, 0), SETTINGS)
  t.equal(e.winner, 'square-root-law', `pooled R^2 I-Star ${e.pooledOutOfSampleR2.istar} <= square-root law ${e.pooledOutOfSampleR2.sqrt}`)
  t.same([e.publishedParams.a2, e.publishedParams.a4, e.publishedParams.b1], [0.5, 0, 0])
  t.equal(e.publishedParams.a1, e.joint.sqrt.params.a1)
  const text = formatIStarSection(e).join('\n')
  t.match(text, /the square-root law as I-Star parameters/)
  t.match(text, /so the square-root law is published as the execution model/)
  const section = istarSection(e)
  t.equal(section.calibration.form, 'square-root-law')
  t.same(section.calibration.covariance.matrix.slice(1).flat(), new Array(12).fill(0), 'a2, a4, b1 fixed: their rows are 0')
  t.same(section.calibration.covariance.matrix[0].slice(1), [0, 0, 0], 'and their columns')
  t.ok(section.calibration.covariance.matrix[0][0] > 0, 'a1 has a positive variance')
  t.notMatch(JSON.stringify(section), /null|NaN|Infinity/, 'no null, also for the losing I-Star fit\'s unidentified parameters')
  t.same(section.calibration.fits.istar.unidentified, e.joint.istar.unidentified)
})
