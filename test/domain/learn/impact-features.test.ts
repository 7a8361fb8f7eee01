import t from 'tap'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { IMPACT_FEATURE_NAMES, impactFeatures, requireImpactFeatureNames } from '../../../src/domain/learn/impact-features.js'
import { fitLinearRegression, predictLinear } from '../../../src/domain/learn/linear-regression.js'
import { createRng } from '../../../src/domain/learn/rng.js'

t.test('feature vector in IMPACT_FEATURE_NAMES order (hand-computed)', async (t) => {
  // issue 14: no side feature, so no learned model can price buys and sells differently
  t.same(IMPACT_FEATURE_NAMES, ['participation', 'sqrtParticipationVol', 'relSpread', 'volDaily'])
  const features = impactFeatures({ participation: 0.04, relSpread: 0.0002, volDaily: 0.03, sideSign: -1 })
  // sqrtParticipationVol = 0.03 * sqrt(0.04) = 0.006
  t.same(features.length, 4)
  t.equal(features[0], 0.04)
  t.ok(Math.abs(features[1] - 0.006) < 1e-18, 'volDaily * sqrt(participation) = 0.006 (1e-18)')
  t.same(features.slice(2), [0.0002, 0.03])
})

t.test('the features do not depend on the side (issue 14: symmetric by construction)', async (t) => {
  const input = { participation: 0.013, relSpread: 0.0003, volDaily: 0.025 }
  t.same(impactFeatures({ ...input, sideSign: 1 }), impactFeatures({ ...input, sideSign: -1 }))
})

t.test('writes into a given buffer (hot path) and trims it to 4 values', async (t) => {
  const out: number[] = [9, 9, 9, 9, 9, 9, 9]
  const result = impactFeatures({ participation: 0, relSpread: 0, volDaily: 0, sideSign: 1 }, out)
  t.equal(result, out)
  t.same(out, [0, 0, 0, 0])
})

t.test('requireImpactFeatureNames refuses the old feature list, naming the field', async (t) => {
  requireImpactFeatureNames('record.model', [...IMPACT_FEATURE_NAMES])
  t.throws(() => requireImpactFeatureNames('record.model', ['participation', 'sqrtParticipationVol', 'relSpread', 'volDaily', 'sideSign']),
    { name: 'RangeError', message: /^record\.model\.featureNames must be \[participation, sqrtParticipationVol, relSpread, volDaily\] \(got \[.*sideSign\]\).*sideSign feature/ })
  t.throws(() => requireImpactFeatureNames('record.model', ['volDaily', 'relSpread', 'sqrtParticipationVol', 'participation']), { name: 'RangeError', message: /record\.model\.featureNames must be/ }, 'order matters')
})

t.test('invalid inputs throw DomainRangeError naming the field', async (t) => {
  const good = { participation: 0.01, relSpread: 0.0001, volDaily: 0.02, sideSign: 1 as const }
  for (const [field, value] of [['participation', -0.1], ['participation', Number.NaN], ['relSpread', -1e-9], ['volDaily', Infinity], ['sideSign', 0]] as const) {
    t.throws(() => impactFeatures({ ...good, [field]: value } as never), { name: 'DomainRangeError', param: field }, `${field} = ${value}`)
  }
  t.throws(() => impactFeatures({ ...good, participation: -1 }), DomainRangeError)
})

t.test('a linear model on these features represents the square-root law exactly (1e-12)', async (t) => {
  // cost = 0.8 * volDaily * sqrt(participation): only the sqrtParticipationVol column matters.
  const rng = createRng(8)
  const inputs = Array.from({ length: 50 }, () => ({
    participation: 0.1 * rng.next(), relSpread: 0.001 * rng.next(), volDaily: 0.01 + 0.05 * rng.next(), sideSign: (rng.next() < 0.5 ? 1 : -1) as 1 | -1
  }))
  const rows = inputs.map((input) => impactFeatures(input))
  const targets = inputs.map((input) => 0.8 * input.volDaily * Math.sqrt(input.participation))
  const model = fitLinearRegression(rows, targets, { featureNames: [...IMPACT_FEATURE_NAMES] })
  const slope = model.coefficients[1] / model.standardiser.std[1]
  t.ok(Math.abs(slope - 0.8) < 1e-9, `raw slope on sqrtParticipationVol ${slope} = 0.8 (1e-9)`)
  const worst = Math.max(...rows.map((row, i) => Math.abs(predictLinear(model, row) - targets[i])))
  t.ok(worst < 1e-12, `max error ${worst} < 1e-12`)
})
