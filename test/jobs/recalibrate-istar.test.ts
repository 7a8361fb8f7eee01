import t from 'tap'
import { RecalibrationJob, type SampleBatch } from '../../src/jobs/recalibrate.js'
import type { TrainResult } from '../../src/jobs/train-protocol.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { ModelStore } from '../../src/models/model-store.js'
import type { ModelRecord } from '../../src/models/impact-model.js'
import { executionModelOf } from '../../src/services/execution.js'
import { synthTimedWindows } from '../support/istar-synth.js'

const DAY_MS = 86_400_000
const quiet = { info: () => {}, warn: () => {}, error: () => {} }
const RATE_TRUTH = { a1: 0.9, a2: 0.55, a4: 0.5, b1: 0.9 }

// the impact-sample slots are not under test here: a trainer whose candidates all fail the gate
const noCandidate = async (): Promise<TrainResult> => ({
  split: { trainFromMs: 0, trainToMs: 1, testFromMs: 2, testToMs: 3, trainSamples: 0, testSamples: 0 },
  verdicts: {} as TrainResult['verdicts'],
  fits: {},
  failures: {}
})

function makeJob (batch: SampleBatch, overrides: Partial<ConstructorParameters<typeof RecalibrationJob>[0]> = {}) {
  const models = new ModelStore({ defaultSet: loadEmbeddedModels('embedded/models.json'), bySymbol: new Map() })
  const job = new RecalibrationJob({ models, collectSamples: async () => batch, train: noCandidate, logger: quiet, ...overrides }, {
    symbols: ['BTCUSDT'], minSamples: 0, gapMs: 3_600_000, bucketMs: DAY_MS, seed: 7
  })
  return { job, models }
}

const week = synthTimedWindows({ seed: 3, params: RATE_TRUTH, days: 7, perDay: 20, noiseScale: 0.05 })

t.test('a week of rate-dependent windows: the job publishes an I-Star record that GET /v1/models shows', async (t) => {
  const { job, models } = makeJob({ samples: [], source: 'tape', notes: {}, istar: { windows: week, notes: { windows: week.length } } })
  const embedded = models.modelsFor('BTCUSDT').istar
  const [outcome] = await job.run()
  t.equal(outcome.outcome, 'published', outcome.reason)
  t.same(outcome.published, ['istar'])
  t.match(outcome.reason, /istar <- i-star/)
  t.equal(outcome.istar?.status, 'publish')
  const model = models.modelsFor('BTCUSDT').istar
  t.not(model.version, embedded.version)
  t.equal(model.source, 'recalibrated')
  t.equal(models.modelsFor('ETHUSDT').istar.version, embedded.version, 'other symbols keep the embedded model')
  // what GET /v1/models shows: parameters, calibration, validity (src/routes/models.ts)
  const calibration = model.calibration as Record<string, any>
  t.equal(calibration.form, 'i-star')
  t.same(Object.keys(model.parameters).sort(), ['a1', 'a2', 'a4', 'b1'])
  t.ok(Math.abs((model.parameters.b1 as number) - RATE_TRUTH.b1) < 0.3)
  t.same(calibration.horizonMinutesRange, { min: 1, max: 240 })
  t.ok(calibration.povRange.min > 0 && calibration.povRange.max <= 1)
  t.ok(calibration.covariance.names.length >= 1, `covariance of ${calibration.covariance.names.join(', ')}`)
  t.equal(calibration.covariance.matrix.length, calibration.covariance.names.length)
  for (const row of calibration.covariance.matrix) t.equal(row.length, calibration.covariance.names.length, 'square: no NaN entry was dropped')
  t.same(Object.keys(calibration.stdErr), calibration.covariance.names)
  t.equal(calibration.windowsPerLength.length, 5)
  t.equal(calibration.validation.perLength.length, 5)
  t.ok(calibration.validation.pooled.istar.r2 > 0)
  t.equal(typeof calibration.rateTermDistinguishable, 'boolean')
  t.ok(model.validity.participation.max > model.validity.participation.min)
  t.ok(model.validity.volDaily.min >= 0.02 && model.validity.volDaily.max <= 0.05)
  t.notMatch(JSON.stringify({ record: model.record, status: job.status() }), /null|NaN|Infinity/, 'record and status are finite JSON')
  t.same(executionModelOf(models.modelsFor('BTCUSDT')).params, model.parameters, 'executions are priced by the published parameters')
})

t.test('with a registry, the I-Star record goes through the same publish call as the other slots', async (t) => {
  const published: ModelRecord[][] = []
  const { job, models } = makeJob({ samples: [], source: 'tape', notes: {}, istar: { windows: week, notes: {} } }, { publish: async (_symbol, records) => { published.push(records) } })
  const before = models.modelsFor('BTCUSDT')
  const [outcome] = await job.run()
  t.equal(outcome.outcome, 'published', outcome.reason)
  t.equal(published.length, 1)
  t.same(published[0].map((r) => r.name), ['istar'])
  t.equal(models.modelsFor('BTCUSDT'), before, 'the registry swaps, not the job')
})

t.test('fewer than 3 days of windows: insufficient data, the embedded execution model stays, the run does not fail', async (t) => {
  const twoDays = week.filter((w) => w.dayKey <= '2026-01-02')
  const { job, models } = makeJob({ samples: [], source: 'tape', notes: {}, istar: { windows: twoDays, notes: {} } })
  const before = models.modelsFor('BTCUSDT')
  const [outcome] = await job.run()
  t.equal(outcome.outcome, 'kept', outcome.reason)
  t.equal(outcome.istar?.status, 'insufficient data')
  t.match(outcome.istar?.reasons[0], /2 UTC day\(s\)/)
  t.equal(models.modelsFor('BTCUSDT'), before)
  t.equal(job.status().symbols.BTCUSDT.istar?.status, 'insufficient data', 'status() reports it')
})

t.test('the same week again: the model it published is kept', async (t) => {
  const { job, models } = makeJob({ samples: [], source: 'tape', notes: {}, istar: { windows: week, notes: {} } })
  await job.run()
  const first = models.modelsFor('BTCUSDT').istar.version
  const [again] = await job.run()
  t.equal(again.istar?.status, 'keep', again.istar?.reasons.join('; ') ?? '')
  t.equal(models.modelsFor('BTCUSDT').istar.version, first)
})
