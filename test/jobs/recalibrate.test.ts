import t from 'tap'
import { RecalibrationJob, finiteOnly, type SampleBatch } from '../../src/jobs/recalibrate.js'
import { TrainingThread, type TrainRequest, type TrainResult } from '../../src/jobs/train-protocol.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { ModelStore } from '../../src/models/model-store.js'
import { createRng } from '../../src/domain/learn/rng.js'
import type { TimedSample } from '../../src/domain/validation/walk-forward.js'

const DAY_MS = 86_400_000
const quiet = { info: () => {}, warn: () => {}, error: () => {} }

/**
 * Synthetic windows obeying the square-root law with a known eta (0.8, delta 0.5) plus noise:
 * dP/P = sign(Q) * eta * vol * sqrt(|Q|/V) + N(0, noise). Ten days, 300 windows a day.
 */
function sqrtLawSamples (seed: number, eta = 0.8, days = 10, perDay = 300): TimedSample[] {
  const rng = createRng(seed)
  const out: TimedSample[] = []
  const t0 = Date.UTC(2026, 0, 1)
  for (let d = 0; d < days; d++) {
    for (let i = 0; i < perDay; i++) {
      const startMs = t0 + d * DAY_MS + i * Math.floor(DAY_MS / perDay)
      const participation = Math.exp(-9 + 3 * rng.normal() * 0.7)
      const advBase = 10_000
      const volDaily = 0.02 + 0.02 * rng.next()
      const sign = rng.next() < 0.5 ? -1 : 1
      const signedReturn = sign * eta * volDaily * Math.sqrt(participation) + 0.0002 * rng.normal()
      out.push({ startMs, endMs: startMs + 300_000, signedQtyBase: sign * participation * advBase, advBase, volDaily, relSpread: 0.0001, signedReturn })
    }
  }
  return out
}

// one training thread for the file, as a server keeps one; it does not rest between epochs (no need in a test)
const trainer = new TrainingThread({ restMs: 0 })
t.teardown(async () => { await trainer.close() })
const trainInThread = async (request: TrainRequest): Promise<TrainResult> => await trainer.train(request)

function makeJob (collect: (symbol: string) => Promise<SampleBatch>, overrides: Partial<ConstructorParameters<typeof RecalibrationJob>[0]> = {}) {
  const models = new ModelStore({ defaultSet: loadEmbeddedModels('embedded/models.json'), bySymbol: new Map() })
  const job = new RecalibrationJob({ models, collectSamples: collect, train: trainInThread, logger: quiet, ...overrides }, {
    symbols: ['BTCUSDT'], minSamples: 200, gapMs: 3_600_000, bucketMs: DAY_MS, seed: 7, mlpMaxTrainRows: 2000
  })
  return { job, models }
}

t.test('a candidate that beats zero, the refit and the published model is published and hot-swapped', async (t) => {
  const { job, models } = makeJob(async () => ({ samples: sqrtLawSamples(1), source: 'tape', notes: {} }))
  const before = models.modelsFor('BTCUSDT')
  const [outcome] = await job.run()
  t.equal(outcome.outcome, 'published', outcome.reason)
  t.ok(outcome.published.includes('sqrt'), 'the square-root slot is replaced')
  const after = models.modelsFor('BTCUSDT')
  t.not(after.sqrt.version, before.sqrt.version)
  t.equal(after.sqrt.source, 'recalibrated')
  // true eta 0.8 (the synthetic law); the refit recovers it within 5% (noise 2e-4 against signals ~1e-4..1e-3)
  t.ok(Math.abs((after.sqrt.parameters.impactCoef as number) - 0.8) < 0.04, `eta ${after.sqrt.parameters.impactCoef}`)
  const validation = after.sqrt.calibration.validation as { publish: boolean, metrics: { outOfSampleR2: number } }
  t.equal(validation.publish, true, 'the validation record is kept with the model')
  t.ok(validation.metrics.outOfSampleR2 > 0)
  t.equal(models.modelsFor('ETHUSDT').sqrt.version, before.sqrt.version, 'other symbols keep the default set')
  const status = job.status()
  t.equal(status.symbols.BTCUSDT.outcome, 'published')
  t.equal(status.running, false)
  t.notMatch(JSON.stringify(status), /null|NaN|Infinity/, 'status is finite JSON')
})

t.test('failures keep the published model and are recorded; the job never throws', async (t) => {
  const cases: Array<[string, () => Promise<SampleBatch>, RegExp]> = [
    ['Bybit down', async () => { throw new Error('connect ECONNREFUSED') }, /no market data: connect ECONNREFUSED/],
    ['too few samples', async () => ({ samples: sqrtLawSamples(2).slice(0, 50), source: 'tape', notes: {} }), /too few samples: 50 usable/],
    ['pure noise (nothing beats zero)', async () => ({ samples: sqrtLawSamples(3, 0), source: 'tape', notes: {} }), /no candidate passed/]
  ]
  for (const [name, collect, reason] of cases) {
    const { job, models } = makeJob(collect)
    const before = models.modelsFor('BTCUSDT')
    const [outcome] = await job.run()
    t.match(outcome.reason, reason, name)
    t.ok(outcome.outcome === 'failed' || outcome.outcome === 'kept', `${name}: ${outcome.outcome}`)
    t.equal(models.modelsFor('BTCUSDT'), before, `${name}: the same model set object still serves`)
  }
  const { job, models } = makeJob(async () => ({ samples: sqrtLawSamples(4), source: 'tape', notes: {} }), { train: async () => { throw new Error('worker crashed') } })
  const before = models.modelsFor('BTCUSDT')
  const [outcome] = await job.run()
  t.match(outcome.reason, /training failed: worker crashed/)
  t.equal(models.modelsFor('BTCUSDT'), before)
  const blocked = makeJob(async () => ({ samples: sqrtLawSamples(5), source: 'tape', notes: {} }), { canPublish: () => false })
  const [held] = await blocked.job.run()
  t.equal(held.outcome, 'failed')
  t.match(held.reason, /cannot take a publish/)
})

t.test('two runs never overlap: a second request joins the run in flight', async (t) => {
  let calls = 0
  const { job } = makeJob(async () => {
    calls++
    await new Promise((resolve) => setTimeout(resolve, 50))
    return { samples: [], source: 'tape', notes: {} }
  })
  const [a, b] = await Promise.all([job.run(), job.run()])
  t.equal(calls, 1, 'samples collected once')
  t.equal(a, b, 'both callers get the same result')
  await job.run()
  t.equal(calls, 2, 'a later run starts afresh')
})

t.test('finiteOnly drops non-finite numbers and nulls', async (t) => {
  t.same(finiteOnly({ a: 1, b: NaN, c: [1, Infinity, 2], d: { e: null, f: 'x' } }), { a: 1, c: [1, 2], d: { f: 'x' } })
})

t.test('a publish records the stored fills\' calibration before and after in the outcome and in each published record', async (t) => {
  // stored records scored by the embedded execution model (POST /v1/tca's records), read back by the job
  const { runTca } = await import('../../src/services/tca.js')
  const { loadEmbeddedMarketState } = await import('../../src/market/market-state.js')
  const { loadConfig } = await import('../../src/config.js')
  const { hourlySharesOf } = await import('../../src/services/execution.js')
  const config = loadConfig({ LOG_LEVEL: 'silent' })
  const market = loadEmbeddedMarketState(config.MARKET_STATE_PATH, config)
  const nowMs = Date.now()
  const trades = Array.from({ length: 30 }, (_, i) => ({
    symbol: 'BTCUSDT',
    side: (i % 2 === 0 ? 'buy' : 'sell') as 'buy' | 'sell',
    qtyBase: 5 + i,
    arrivalPriceQuote: 84000,
    execPriceQuote: 84000 * (1 + (i % 2 === 0 ? 1 : -1) * 0.0001 * (i % 7)),
    bidQuote: 83999.95,
    askQuote: 84000.05,
    startMs: nowMs - 86_400_000 + i * 60_000,
    endMs: nowMs - 86_400_000 + i * 60_000 + 1_800_000,
    strategy: 'vwap' as const
  }))
  const stored = runTca(trades, 'istar', false, { market, models: new ModelStore({ defaultSet: loadEmbeddedModels('embedded/models.json'), bySymbol: new Map() }) }, nowMs).records
  let readSince = -1
  const { job, models } = makeJob(async () => ({ samples: sqrtLawSamples(1), source: 'tape', notes: {} }), {
    readTcaRecords: async (_symbol, sinceMs) => { readSince = sinceMs; return stored },
    hourlyShares: (symbol) => hourlySharesOf(market.get(symbol))
  })
  const [outcome] = await job.run()
  t.equal(outcome.outcome, 'published', outcome.reason)
  const c = outcome.tcaCalibration
  t.ok(c !== undefined, 'the outcome carries the before/after calibration')
  t.ok(Math.abs((c?.sinceMs ?? 0) - (nowMs - 7 * 86_400_000)) < 60_000 && readSince === c?.sinceMs, 'over the last 7 days')
  t.equal(c?.before.n, 30)
  t.equal(c?.after.n, 30)
  // only sqrt was replaced; the fills were predicted by istar, which is kept: the same z (exact re-scoring)
  t.ok(Math.abs((c?.after.meanZ as number) - (c?.before.meanZ as number)) < 1e-12, 'istar kept: after = before')
  const validation = models.modelsFor('BTCUSDT').sqrt.calibration.validation as { tcaCalibration: unknown }
  t.same(validation.tcaCalibration, c, 'the published record\'s validation holds it')
  t.notMatch(JSON.stringify(job.status()), /null|NaN|Infinity/, 'status is finite JSON')
})
