import t from 'tap'
import { readFileSync } from 'node:fs'
import { Type } from '@sinclair/typebox'
import { DEFAULT_CANDIDATES, fitCandidates, isFailedFit, predictorFromCost, type FailedFit } from '../../src/domain/validation/candidates.js'
import type { GateCandidate } from '../../src/domain/validation/gate.js'
import type { TimedSample } from '../../src/domain/validation/walk-forward.js'
import { createRng } from '../../src/domain/learn/rng.js'
import { loadEmbeddedModels, parseEmbeddedModels } from '../../src/models/embedded-models.js'
import { modelFromRecord, type ModelRecord } from '../../src/models/impact-model.js'
import { fitOf, GATE_CANDIDATES, kindOf, kindOfCandidate, MODEL_KINDS, MODEL_NAMES, recordBodyFitFields } from '../../src/models/model-kinds.js'

const embedded = loadEmbeddedModels('embedded/models.json')

t.test('the table: names and candidate names are unique, and everything lists the kinds in table order', async (t) => {
  t.same(MODEL_NAMES.slice(0, 4), ['istar', 'sqrt', 'linear', 'mlp'], 'the built-in kinds come first (the execution model, the default, leads)')
  t.same(MODEL_KINDS.map((kind) => kind.name), [...MODEL_NAMES])
  t.equal(new Set(MODEL_NAMES).size, MODEL_NAMES.length, 'names are unique')
  t.same(Object.keys(embedded), [...MODEL_NAMES], 'the embedded set has one model per kind')
  const candidates = GATE_CANDIDATES.map((c) => c.name)
  t.same(candidates, MODEL_KINDS.flatMap((kind) => kind.candidates.map((c) => c.name)), 'every kind\'s candidates, kind by kind')
  t.equal(new Set(candidates).size, candidates.length, 'candidate names are unique across kinds')
  t.same(candidates.slice(0, 4), DEFAULT_CANDIDATES.map((c) => c.name), 'the built-in kinds compete with the candidates the domain evaluates by default')
  for (const kind of MODEL_KINDS) {
    t.equal(kindOf(kind.name), kind)
    for (const c of kind.candidates) t.equal(kindOfCandidate(c.name), kind, `${c.name} competes for ${kind.name}`)
  }
  t.equal(kindOf('nope'), undefined)
  t.equal(kindOf(7), undefined)
})

t.test('every kind: its embedded record serves, its fitted part matches its schema, fitOf round-trips', async (t) => {
  for (const kind of MODEL_KINDS) {
    const model = embedded[kind.name]
    const record = model.record as Record<string, unknown>
    t.equal(model.name, kind.name)
    t.ok(typeof model.version === 'string' && model.version.startsWith(`embedded-${kind.name}-`), model.version)
    const fit = fitOf(model.record) as Record<string, unknown>
    t.same(Object.keys(fit), ['name', kind.field])
    t.equal(fit[kind.field], record[kind.field])
    // the served cost and the kind's published-model predictor agree (the gate benchmark is the served model)
    const predictor = (kind.predictor as (fitted: unknown) => (s: TimedSample) => number)(record[kind.field])
    const served = predictorFromCost(model.predictCost)
    for (const s of sampleSet(20, 1)) t.equal(predictor(s), served(s), `${kind.name}: predictor equals the served cost, sign(Q) * cost`)
  }
})

t.test('a record that names an unknown kind or breaks its kind\'s schema is rejected naming the field', async (t) => {
  t.throws(() => modelFromRecord({ ...embedded.sqrt.record, name: 'nope' } as unknown as ModelRecord), { name: 'TypeError', message: `record.name must be ${MODEL_NAMES.slice(0, -1).join(', ')} or ${MODEL_NAMES[MODEL_NAMES.length - 1]}` })
  const sqrt = structuredClone(embedded.sqrt.record) as Extract<ModelRecord, { name: 'sqrt' }>
  sqrt.params.impactCoef = Number.NaN
  t.throws(() => modelFromRecord(sqrt, 'body'), { name: 'TypeError', message: 'body.params.impactCoef must be a finite number (got NaN)' })
  t.throws(() => modelFromRecord({ ...embedded.linear.record, version: '' }), { name: 'TypeError', message: 'record.version must be a non-empty string' })
  t.throws(() => modelFromRecord({ ...embedded.mlp.record, validity: { participation: { min: 1, max: 0 }, volDaily: { min: 0, max: 1 } } }), { name: 'RangeError', message: 'record.validity.participation.max must be >= min (got 0)' })
})

t.test('issue 14: a linear or MLP record trained with the removed sideSign feature is refused, naming record.model.featureNames', async (t) => {
  // the old feature list (before issue 14): the current one plus a trailing sideSign column, given weight 0 here
  const old = 'record.model.featureNames must be [participation, sqrtParticipationVol, relSpread, volDaily] (got [participation, sqrtParticipationVol, relSpread, volDaily, sideSign]) (a model trained with the removed sideSign feature prices buys and sells differently: retrain it)'
  const linear = structuredClone(embedded.linear.record) as any
  linear.model.featureNames.push('sideSign')
  linear.model.standardiser.mean.push(0)
  linear.model.standardiser.std.push(1)
  linear.model.coefficients.push(0)
  t.throws(() => modelFromRecord(linear), { name: 'RangeError', message: old })
  const mlp = structuredClone(embedded.mlp.record) as any
  mlp.model.featureNames.push('sideSign')
  mlp.model.layerSizes[0] = 5
  mlp.model.standardiser.mean.push(0)
  mlp.model.standardiser.std.push(1)
  for (const row of mlp.model.layers[0].weights) row.push(0)
  t.throws(() => modelFromRecord(mlp), { name: 'RangeError', message: old })
  // the published-model benchmark refuses it too (the job never compares against an asymmetric model)
  t.throws(() => (kindOf('linear')?.predictor as (fitted: unknown) => unknown)(linear.model), { name: 'RangeError', message: /^model\.featureNames must be/ })
  t.throws(() => (kindOf('mlp')?.predictor as (fitted: unknown) => unknown)(mlp.model), { name: 'RangeError', message: /^model\.featureNames must be/ })
})

t.test('the embedded file: each kind reads and checks its own section', async (t) => {
  const file = JSON.parse(readFileSync('embedded/models.json', 'utf8'))
  const without = (patch: (f: any) => void): unknown => { const f = structuredClone(file); patch(f); return f }
  t.throws(() => parseEmbeddedModels(without((f) => { delete f.dataset })), { message: 'models.dataset must be an object' })
  t.throws(() => parseEmbeddedModels(without((f) => { f.sqrt.impactCoef.origin = ' ' })), { message: 'models.sqrt.impactCoef.origin must be a non-empty string' })
  t.throws(() => parseEmbeddedModels(without((f) => { delete f.mlp.model })), { message: 'models.mlp.model must be an object' })
  t.throws(() => parseEmbeddedModels(without((f) => { f.linear.calibration.volDailyRange = { min: 1, max: 0 } })), { name: 'RangeError', message: 'models.linear.calibration.volDailyRange.max must be >= min (got 0)' })
})

t.test('every candidate\'s fit becomes a record its kind serves', async (t) => {
  const fits = fitCandidates(sampleSet(300, 2), { seed: 3, mlp: { maxEpochs: 5, hidden1: 4, hidden2: 3 } }, GATE_CANDIDATES) as unknown as Record<string, GateCandidate | FailedFit>
  for (const kind of MODEL_KINDS) {
    for (const candidate of kind.candidates) {
      const fit = fits[candidate.name]
      if (isFailedFit(fit)) throw new Error(`${candidate.name}: ${fit.error}`)
      const { payload } = candidate.toFit(fit)
      const record = { name: kind.name, [kind.field]: payload, ...embeddedMeta(kind.name) } as unknown as ModelRecord
      const model = modelFromRecord(JSON.parse(JSON.stringify(record)))
      t.equal(model.name, kind.name, `${candidate.name} -> ${kind.name}`)
      t.ok(Number.isFinite(model.predictCost({ participation: 0.001, volDaily: 0.03, relSpread: 0.0002, sideSign: 1 })))
    }
  }
})

t.test('the admin body\'s fitted-part fields come from the kinds', async (t) => {
  const fields = JSON.parse(JSON.stringify(Type.Object(recordBodyFitFields()))).properties
  const paramsKinds = MODEL_KINDS.filter((kind) => kind.field === 'params')
  t.equal(fields.params.additionalProperties, false, 'params: closed')
  t.same(Object.keys(fields.params.properties), paramsKinds.flatMap((kind) => Object.keys(kind.fitSchema.properties)), 'params: the properties of every params kind')
  t.same(fields.model.type, 'object', 'model: any JSON object, checked by the kind')
  for (const kind of MODEL_KINDS) t.match(fields[kind.field].description, `${kind.name}`, `${kind.field} says it is for ${kind.name}`)
  if (paramsKinds.length === 1) {
    // what the committed OpenAPI document holds (the drift test compares it byte for byte)
    t.same(fields, {
      params: {
        additionalProperties: false,
        description: 'sqrt only: eta, delta, smearing factor',
        type: 'object',
        properties: { impactCoef: { type: 'number' }, impactExponent: { type: 'number' }, smearingFactor: { type: 'number' } },
        required: ['impactCoef', 'impactExponent', 'smearingFactor']
      },
      model: { description: 'linear / mlp only: the model JSON (linearToJson / mlpToJson)', type: 'object', patternProperties: { '^(.*)$': {} } }
    })
  }
})

function embeddedMeta (name: string): Record<string, unknown> {
  const { version, validity, calibration } = embedded[name as 'sqrt'].record
  return { version: `test-${version}`, source: 'registry', validity, calibration, createdAtMs: 1 }
}

/** `n` usable samples of a noisy square-root-like law, one every 20 minutes. */
function sampleSet (n: number, seed: number): TimedSample[] {
  const rng = createRng(seed)
  const out: TimedSample[] = []
  for (let k = 0; k < n; k++) {
    const p = Math.pow(10, -5 + 3 * rng.next())
    const sign = rng.next() < 0.5 ? -1 : 1
    const volDaily = 0.02 + 0.02 * rng.next()
    const startMs = 1_675_209_600_000 + k * 1_200_000
    out.push({ startMs, endMs: startMs + 300_000, signedQtyBase: sign * p * 5000, advBase: 5000, volDaily, relSpread: 0.0002 * rng.next(), signedReturn: sign * 0.8 * volDaily * Math.pow(p, 0.6) * Math.exp(0.1 * rng.normal()) })
  }
  return out
}
