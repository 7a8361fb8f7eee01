// The "istar" model kind: serves I* of the whole order (an immediate estimate), checks its params,
// reads its embedded section with the calibration fields the execution estimator reads.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { Type } from '@sinclair/typebox'
import { instantaneousImpact } from '../../src/domain/impact/istar.js'
import { loadEmbeddedModels, parseEmbeddedModels } from '../../src/models/embedded-models.js'
import { modelFromRecord, type ModelRecord } from '../../src/models/impact-model.js'
import { GATE_CANDIDATES, kindOf, MODEL_NAMES, recordBodyFitFields } from '../../src/models/model-kinds.js'
import { istarKind } from '../../src/models/kinds/istar.js'

const embedded = loadEmbeddedModels('embedded/models.json')
const file = JSON.parse(readFileSync('embedded/models.json', 'utf8'))
type IStarRecord = Extract<ModelRecord, { name: 'istar' }>

t.test('listed first: the execution model is the default model; no sample-based gate candidate', async (t) => {
  t.equal(MODEL_NAMES[0], 'istar', 'the default model is the table\'s first')
  t.equal(kindOf('istar'), istarKind)
  t.same(istarKind.candidates, [], 'the job gates it on windows of several lengths (istar-gate.ts), not on the candidates\' samples')
  t.notOk(GATE_CANDIDATES.some((c) => (c.name as string) === 'istar'))
})

t.test('serves instantaneousImpact of the whole order; the predictor is sign(Q) times it', async (t) => {
  const params = { a1: 2, a2: 0.6, a4: 0.5, b1: 0.4 }
  const record = { ...embedded.istar.record, params, version: 'test-istar-1' } as IStarRecord
  const model = modelFromRecord(record)
  t.same(model.parameters, params)
  // closed form (istar.ts): I* = a1 * volDaily * participation^a2 = 2 * 0.03 * 0.01^0.6 (rel 1e-12)
  const expected = 2 * 0.03 * Math.pow(0.01, 0.6)
  const cost = model.predictCost({ participation: 0.01, volDaily: 0.03, relSpread: 0.0002, sideSign: -1 })
  t.ok(Math.abs(cost - expected) <= 1e-12 * expected, `cost ${cost} = a1 sigma p^a2 = ${expected}`)
  t.equal(cost, instantaneousImpact(params, 0.01, 0.03), 'exactly instantaneousImpact: b1 and a4 play no part in an immediate estimate')
  const predictor = istarKind.predictor(params)
  const sample = { startMs: 0, endMs: 60_000, signedQtyBase: -50, advBase: 5000, volDaily: 0.03, relSpread: 0, signedReturn: 0 }
  t.equal(predictor(sample), -instantaneousImpact(params, 0.01, 0.03), 'a sell predicts the price down by I*')
})

t.test('invalid params are rejected naming the field', async (t) => {
  const base = embedded.istar.record as IStarRecord
  const withParams = (params: Record<string, unknown>): IStarRecord => ({ ...structuredClone(base), params } as unknown as IStarRecord)
  t.throws(() => modelFromRecord(withParams({ a1: 1, a2: 0.5, a4: 0 }), 'body'), { name: 'TypeError', message: /body\.params\.b1/ })
  t.throws(() => modelFromRecord(withParams({ a1: 1, a2: 0.5, a4: 0, b1: Number.NaN }), 'body'), { name: 'TypeError', message: 'body.params.b1 must be a finite number (got NaN)' })
  // validateIStarParams: b1 in [0, 1], a1 > 0
  t.throws(() => modelFromRecord(withParams({ a1: 1, a2: 0.5, a4: 0, b1: 1.5 })), { name: 'DomainRangeError', message: /b1/ })
  t.throws(() => modelFromRecord(withParams({ a1: 0, a2: 0.5, a4: 0, b1: 0 })), { name: 'DomainRangeError', message: /a1/ })
})

t.test('the embedded section: sourced params and the calibration the estimator reads', async (t) => {
  const section = file.istar
  for (const name of ['a1', 'a2', 'a4', 'b1']) {
    t.ok(Number.isFinite(section.params[name].value), `${name} finite`)
    t.ok(typeof section.params[name].origin === 'string' && section.params[name].origin.length >= 20, `${name} has an origin`)
  }
  const record = embedded.istar.record as IStarRecord
  t.same(record.params, { a1: section.params.a1.value, a2: section.params.a2.value, a4: section.params.a4.value, b1: section.params.b1.value })
  const c = record.calibration as Record<string, any>
  for (const key of ['povRange', 'horizonMinutesRange', 'participationRange', 'volDailyRange']) {
    t.ok(c[key].min <= c[key].max && Number.isFinite(c[key].min) && Number.isFinite(c[key].max), `${key} is a finite { min, max }`)
  }
  // issue 13 section 1: windows of 1 to 240 minutes, POV = |Q| / window volume in (0, 1]
  t.same(c.horizonMinutesRange, { min: 1, max: 240 })
  t.ok(c.povRange.min > 0 && c.povRange.max <= 1, 'POV in (0, 1]')
  t.same(record.validity.participation, c.participationRange, 'validity = the |Q|/ADV range')
  t.ok(['i-star', 'square-root-law'].includes(c.form), `form ${c.form}`)
  if (c.form === 'square-root-law') t.same([record.params.a2, record.params.a4, record.params.b1], [0.5, 0, 0], 'the square-root law as I-Star: a2 = 0.5, a4 = 0, b1 = 0')
  t.same(c.covariance.names, ['a1', 'a2', 'a4', 'b1'])
  t.equal(c.covariance.matrix.length, 4)
  for (const row of c.covariance.matrix) {
    t.equal(row.length, 4)
    for (const v of row) t.ok(Number.isFinite(v), 'a covariance entry is a finite number (0 for fixed or unidentified parameters)')
  }
  t.ok(c.covariance.matrix[0][0] > 0, 'a1 is estimated: positive variance')
  t.ok(Array.isArray(c.covariance.unidentified), 'unidentified parameters are named')
  // GET /v1/models must carry no null (the fuzz oracle reads a null as a serialized NaN)
  t.notMatch(JSON.stringify(section), /null|NaN|Infinity/, 'the section holds no null')
  t.ok(Number.isFinite(c.stdErr.a1) && c.stdErr.a1 > 0)
  t.same(c.windowsPerLength.map((w: { lengthMinutes: number }) => w.lengthMinutes), [1, 5, 15, 60, 240])
  t.equal(typeof c.rateTermDistinguishable, 'boolean')
  t.ok(Number.isFinite(c.outOfSampleR2.pooled.istar) && Number.isFinite(c.outOfSampleR2.pooled.sqrt))
  t.equal(c.form === 'i-star', c.outOfSampleR2.pooled.istar > c.outOfSampleR2.pooled.sqrt, 'the published form is the one with the higher pooled out-of-sample R^2')
})

t.test('the embedded reader names the missing field', async (t) => {
  const without = (patch: (f: any) => void): unknown => { const f = structuredClone(file); patch(f); return f }
  t.throws(() => parseEmbeddedModels(without((f) => { delete f.istar.calibration.povRange })), { message: /models\.istar\.calibration/ })
  t.throws(() => parseEmbeddedModels(without((f) => { f.istar.params.a4.origin = '' })), { message: /models\.istar\.params\.a4\.origin/ })
  t.throws(() => parseEmbeddedModels(without((f) => { delete f.istar })), { message: /models\.istar/ })
})

t.test('the admin body\'s params carry the I-Star fields beside the square-root law\'s', async (t) => {
  const fields = JSON.parse(JSON.stringify(Type.Object(recordBodyFitFields()))).properties
  t.same(Object.keys(fields.params.properties), ['a1', 'a2', 'a4', 'b1', 'impactCoef', 'impactExponent', 'smearingFactor'])
  t.match(fields.params.description, /istar \/ sqrt only/)
})
