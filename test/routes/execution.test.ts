/**
 * Issue 13 section 4, "one number everywhere", over HTTP on the embedded defaults: an execution has
 * one price in POST /v1/estimate, the batch, the pre-trade check, POST /v1/schedule (and its
 * frontier) and the TCA. Expected values are the other endpoint's answer; tolerance 1e-9 relative
 * (the issue's), though the code path is shared and the numbers are equal to the last bit.
 */
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { IStarParams } from '../../src/domain/impact/istar.js'
import { loadEmbeddedMarketState } from '../../src/market/market-state.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { modelFromRecord, type ModelRecord } from '../../src/models/impact-model.js'
import { ModelStore } from '../../src/models/model-store.js'
import { build, numbersIn, post, tempTcaStore } from '../helper.js'
import type { Teardown } from '../support/teardown.js'

/** The app on the embedded defaults with another execution model: one whose rate part is not zero. */
async function buildWithExecutionModel (t: Teardown, params: IStarParams) {
  const config = loadConfig({ LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0' })
  const set = loadEmbeddedModels(config.MODELS_PATH)
  const istar = modelFromRecord({ ...set.istar.record, params, version: 'test-rate-dependent' } as ModelRecord)
  const app = await buildApp({ config, market: loadEmbeddedMarketState(config.MARKET_STATE_PATH, config), models: new ModelStore({ defaultSet: { ...set, istar }, bySymbol: new Map() }), tcaStore: tempTcaStore(t) })
  t.teardown(async () => await app.close())
  await app.ready()
  return app
}

/** A rate-dependent I-Star (Kissell 2013's shape: most of I* driven by the trading rate). */
const RATE_DEPENDENT: IStarParams = { a1: 1.5, a2: 0.55, a4: 0.6, b1: 0.9 }

/** Every symbol of the shipped market state. */
const SYMBOLS = Object.keys((JSON.parse(readFileSync('embedded/market-state.json', 'utf8')) as { symbols: object }).symbols)
const START_MS = Date.UTC(2026, 0, 5, 13, 0) // a Monday, 13:00 UTC: the periods land in known profile hours

function relClose (a: number, b: number, tol = 1e-9): boolean {
  return Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b), 1e-300)
}

t.test('issue 13 trial: 12 BTC over an hour costs the same in /v1/schedule and /v1/estimate (was 0.030 vs 7.4 bps)', async (t) => {
  const app = await build(t)
  const horizonDays = 1 / 24
  const estimate = (await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12, execution: { strategy: 'twap', horizonDays, periods: 12, startMs: START_MS } })).json()
  const schedule = (await post(app, '/v1/schedule', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12, horizonDays, periods: 12, riskAversion: 1e-6, strategy: 'twap', startMs: START_MS })).json()
  t.ok(relClose(schedule.expectedCostBps, estimate.totalCostBps), `schedule ${schedule.expectedCostBps} bps vs estimate ${estimate.totalCostBps} bps`)
  t.ok(relClose(schedule.impactBps, estimate.impactBps))
  t.ok(relClose(schedule.expectedCostQuote, estimate.totalCostQuote))
  t.ok(relClose(schedule.stdCostQuote, estimate.timingRiskQuote))
  t.ok(relClose(schedule.timingRiskBps, estimate.timingRiskBps))
  t.equal(schedule.executionModel.name, 'istar')
  t.equal(estimate.model.name, 'istar')
  t.equal(schedule.executionModel.version, estimate.model.version)
  t.equal(schedule.parameters, undefined, 'no rules of thumb unless asked for')
  t.ok(estimate.impactBps > 1, `impact ${estimate.impactBps} bps: the calibrated model, not the spread rule of thumb`)
})

for (const [label, params] of [['the embedded execution model', undefined], ['a rate-dependent execution model', RATE_DEPENDENT]] as const) {
  t.test(`property (${label}): twap and optimal agree between /v1/schedule and /v1/estimate, and optimal minimises E + lambda V (random symbols, sizes, horizons)`, async (t) => {
    const app = params === undefined ? await build(t) : await buildWithExecutionModel(t, params)
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...SYMBOLS),
      fc.constantFrom('buy', 'sell'),
      fc.double({ min: 0.01, max: 200, noNaN: true }),
      fc.constantFrom(1 / 1440, 5 / 1440, 1 / 24, 0.25, 1),
      fc.integer({ min: 1, max: 120 }),
      fc.constantFrom(0, 1e-9, 1e-7, 1e-5),
      async (symbol, side, qtyBase, horizonDays, periods, riskAversion) => {
        const base = { symbol, side, qtyBase }
        for (const strategy of ['twap', 'optimal'] as const) {
          const execution = strategy === 'twap' ? { strategy, horizonDays, periods, startMs: START_MS } : { strategy, horizonDays, periods, riskAversion, startMs: START_MS }
          const estimate = await post(app, '/v1/estimate', { ...base, execution })
          const schedule = await post(app, '/v1/schedule', { ...base, horizonDays, periods, riskAversion, strategy, startMs: START_MS })
          if (estimate.statusCode === 422 || schedule.statusCode === 422) {
          // an order too large for the participation cap: both must refuse it, naming the cap
            t.equal(estimate.statusCode, schedule.statusCode, `${strategy} ${symbol} ${qtyBase}: ${estimate.body} / ${schedule.body}`)
            t.match(estimate.json().field, /maxParticipation/)
            continue
          }
          t.equal(estimate.statusCode, 200, estimate.body)
          t.equal(schedule.statusCode, 200, schedule.body)
          const e = estimate.json()
          const s = schedule.json()
          if (!relClose(s.expectedCostBps, e.totalCostBps) || !relClose(s.stdCostQuote, e.timingRiskQuote)) {
            t.fail(`${strategy} ${symbol} ${side} ${qtyBase} T=${horizonDays} N=${periods}: schedule ${s.expectedCostBps}/${s.stdCostQuote} vs estimate ${e.totalCostBps}/${e.timingRiskQuote}`)
            return false
          }
        }
        const twap = (await post(app, '/v1/schedule', { ...base, horizonDays, periods, riskAversion, strategy: 'twap', startMs: START_MS })).json()
        const optimal = await post(app, '/v1/schedule', { ...base, horizonDays, periods, riskAversion, startMs: START_MS })
        if (optimal.statusCode === 200 && Math.max(...twap.participation) <= optimal.json().maxParticipation) {
          const o = optimal.json()
          const twapObjective = twap.expectedCostQuote + riskAversion * twap.varianceQuote2
          if (!(o.objectiveQuote <= twapObjective * (1 + 1e-9))) {
            t.fail(`optimal ${o.objectiveQuote} > twap ${twapObjective}`)
            return false
          }
        }
        return true
      }), { numRuns: 40, seed: 13 })
  })
}

t.test('buys and sells cost the same for every strategy', async (t) => {
  const app = await build(t)
  for (const execution of [
    { strategy: 'immediate' },
    { strategy: 'twap', horizonDays: 0.25, startMs: START_MS },
    { strategy: 'vwap', horizonDays: 0.25, startMs: START_MS },
    { strategy: 'pov', participationRate: 0.05, startMs: START_MS },
    { strategy: 'optimal', horizonDays: 0.25, riskAversion: 1e-6, startMs: START_MS }
  ]) {
    const buy = (await post(app, '/v1/estimate', { symbol: 'ETHUSDT', side: 'buy', qtyBase: 300, execution })).json()
    const sell = (await post(app, '/v1/estimate', { symbol: 'ETHUSDT', side: 'sell', qtyBase: 300, execution })).json()
    t.equal(buy.totalCostBps, sell.totalCostBps, `${execution.strategy} total`)
    t.equal(buy.timingRiskBps, sell.timingRiskBps, `${execution.strategy} risk`)
    t.ok(buy.expectedAvgPriceQuote > buy.priceQuote && sell.expectedAvgPriceQuote < sell.priceQuote, 'the fill moves against each side')
    t.ok(numbersIn(buy).every(Number.isFinite))
  }
})

t.test('per symbol: cost never rises and timing risk never falls with the horizon (default periods, rate-dependent model)', async (t) => {
  const app = await buildWithExecutionModel(t, RATE_DEPENDENT)
  for (const symbol of SYMBOLS) {
    for (const strategy of ['twap', 'vwap', 'optimal'] as const) {
      let last = (await post(app, '/v1/estimate', { symbol, side: 'sell', qtyBase: 5, model: 'istar' })).json()
      for (const horizonDays of [10 / 1440, 1 / 24, 0.5, 2]) {
        const execution = strategy === 'optimal' ? { strategy, horizonDays, riskAversion: 0, startMs: START_MS } : { strategy, horizonDays, startMs: START_MS }
        const e = (await post(app, '/v1/estimate', { symbol, side: 'sell', qtyBase: 5, execution })).json()
        t.ok(e.totalCostBps <= last.totalCostBps * (1 + 1e-12), `${symbol} ${strategy} T=${horizonDays}: ${e.totalCostBps} <= ${last.totalCostBps}`)
        if (strategy !== 'optimal') t.ok(e.timingRiskBps >= last.timingRiskBps, `${symbol} ${strategy} T=${horizonDays}: risk ${e.timingRiskBps} >= ${last.timingRiskBps}`)
        last = e
      }
    }
  }
})

t.test('immediate is the default and the short-horizon limit of every strategy; a horizon outside the calibrated window lengths gets a warning', async (t) => {
  const app = await buildWithExecutionModel(t, RATE_DEPENDENT)
  const plain = (await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12 })).json()
  const immediate = (await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12, execution: { strategy: 'immediate' } })).json()
  t.equal(immediate.totalCostBps, plain.totalCostBps)
  t.equal(plain.model.name, 'istar', 'the execution model prices immediate orders too')
  for (const strategy of ['twap', 'vwap']) {
    const instant = (await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12, execution: { strategy, horizonDays: 1e-7, periods: 1, startMs: START_MS } })).json()
    t.equal(instant.impactBps, plain.impactBps, `${strategy} over 9 ms is priced as immediate (POV capped at 1)`)
  }
  t.same(plain.execution, { strategy: 'immediate', horizonDays: 0, periods: 1, averageParticipation: 1 })
  t.equal(plain.timingRiskBps, 0)
  const week = (await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12, execution: { strategy: 'twap', horizonDays: 7, startMs: START_MS } })).json()
  t.ok(week.warnings.some((w: { code: string }) => w.code === 'HORIZON_OUTSIDE_CALIBRATION'), JSON.stringify(week.warnings))
  t.equal(week.execution.periods, 1440, 'default periods: one a minute, at most 1440')
})

t.test('the check and the TCA price the same execution as the estimate', async (t) => {
  const app = await build(t)
  const execution = { strategy: 'vwap', horizonDays: 1 / 24, periods: 60, startMs: START_MS }
  const order = { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12, execution }
  const estimate = (await post(app, '/v1/estimate', order)).json()
  const check = (await post(app, '/v1/pretrade/check', { order, limits: { maxCostBps: 1000 } })).json()
  t.equal(check.estimate.totalCostBps, estimate.totalCostBps)
  const batch = (await post(app, '/v1/estimate/batch', { orders: [order, { ...order, side: 'sell' }] })).json()
  t.equal(batch.results[1].totalCostBps, estimate.totalCostBps)
  const tca = await post(app, '/v1/tca', { trades: [{ symbol: 'BTCUSDT', side: 'buy', qtyBase: 12, arrivalPriceQuote: estimate.priceQuote, execPriceQuote: estimate.priceQuote * 1.001, startMs: START_MS, endMs: START_MS + 3_600_000 }] })
  t.equal(tca.statusCode, 200, tca.body)
  const trade = tca.json().trades[0]
  t.ok(relClose(trade.estimatedImpactBps, estimate.impactBps), `tca ${trade.estimatedImpactBps} vs estimate ${estimate.impactBps}`)
  t.equal(trade.model.name, 'istar')
  t.equal(trade.execution.strategy, 'vwap')
  const tcaTrade = { symbol: 'BTCUSDT', side: 'buy', qtyBase: 12, arrivalPriceQuote: 80_000, execPriceQuote: 80_050 }
  const half = await post(app, '/v1/tca', { trades: [{ ...tcaTrade, startMs: START_MS }] })
  t.equal(half.statusCode, 400)
  t.same([half.json().field, half.json().rule], ['body/trades/0/endMs', 'dependencies: required with startMs'])
  const backwards = await post(app, '/v1/tca', { trades: [{ ...tcaTrade, startMs: START_MS, endMs: START_MS - 1 }] })
  t.same([backwards.statusCode, backwards.json().field], [422, 'body/trades/0/endMs'])
  const sizeOnly = await post(app, '/v1/tca', { model: 'sqrt', trades: [{ ...tcaTrade, startMs: START_MS, endMs: START_MS + 60_000 }] })
  t.same([sizeOnly.statusCode, sizeOnly.json().field], [422, 'body/model'])
  const immediate = (await post(app, '/v1/tca', { trades: [tcaTrade] })).json().trades[0]
  t.equal(immediate.model.name, 'istar', 'without a window, an immediate execution priced by the default (execution) model')
  t.equal(immediate.execution, undefined)
})

t.test('bad executions get a 422 naming the field and the rule', async (t) => {
  const app = await build(t)
  const cases: Array<[string, unknown, string]> = [
    ['twap without horizonDays', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, execution: { strategy: 'twap' } }, 'body/execution/horizonDays'],
    ['pov with a horizon', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, execution: { strategy: 'pov', participationRate: 0.1, horizonDays: 1 } }, 'body/execution/horizonDays'],
    ['optimal without riskAversion', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, execution: { strategy: 'optimal', horizonDays: 1 } }, 'body/execution/riskAversion'],
    ['a size-only model for a worked order', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, model: 'sqrt', execution: { strategy: 'twap', horizonDays: 1 } }, 'body/model'],
    ['book with twap', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, method: 'book', execution: { strategy: 'twap', horizonDays: 1 } }, 'body/execution/strategy'],
    ['too large for the cap', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1e6, execution: { strategy: 'optimal', horizonDays: 1 / 24, riskAversion: 0 } }, 'body/execution/maxParticipation']
  ]
  for (const [name, body, field] of cases) {
    const res = await post(app, '/v1/estimate', body)
    t.equal(res.statusCode, 422, `${name}: ${res.body}`)
    t.equal(res.json().field, field, name)
    t.ok(typeof res.json().rule === 'string' && res.json().rule.length > 0, name)
  }
  const batch = await post(app, '/v1/estimate/batch', { orders: [{ symbol: 'BTCUSDT', side: 'buy', qtyBase: 1 }, { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, execution: { strategy: 'vwap' } }] })
  t.equal(batch.json().field, 'body/orders/1/execution/horizonDays')
  const bad = await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, execution: { strategy: 'twap', horizonDays: 1, extra: 1 } })
  t.equal(bad.statusCode, 400)
})

t.test('schedule: rules of thumb only on request, explicit linear parameters keep the closed form, frontier under the execution model', async (t) => {
  const app = await build(t)
  const rules = (await post(app, '/v1/schedule', { symbol: 'BTCUSDT', side: 'sell', qtyBase: 12, horizonDays: 1 / 24, periods: 12, riskAversion: 1e-6, parameters: 'rules-of-thumb' })).json()
  t.match(rules.parameters.source.temporaryImpact, /ADV/)
  t.equal(rules.executionModel, undefined)
  const vwapLinear = await post(app, '/v1/schedule', { side: 'sell', qtyBase: 12, horizonDays: 1, periods: 12, riskAversion: 1e-6, volQuote: 1, temporaryImpact: 1e-3, halfSpreadQuote: 0, strategy: 'vwap' })
  t.equal(vwapLinear.json().field, 'body/strategy')
  const frontier = (await post(app, '/v1/schedule/frontier', { symbol: 'BTCUSDT', side: 'sell', qtyBase: 50, horizonDays: 1 / 24, periods: 30, startMs: START_MS, count: 8 })).json()
  t.equal(frontier.points.length, 8)
  t.equal(frontier.executionModel.name, 'istar')
  for (let k = 1; k < frontier.points.length; k++) {
    t.ok(frontier.points[k].varianceQuote2 <= frontier.points[k - 1].varianceQuote2 * (1 + 1e-9), 'variance falls as risk aversion rises')
    t.ok(frontier.points[k].expectedCostQuote >= frontier.points[k - 1].expectedCostQuote * (1 - 1e-9), 'expected cost rises as risk aversion rises')
  }
  const point = frontier.points[3]
  const schedule = (await post(app, '/v1/schedule', { symbol: 'BTCUSDT', side: 'sell', qtyBase: 50, horizonDays: 1 / 24, periods: 30, startMs: START_MS, riskAversion: point.riskAversion })).json()
  t.ok(relClose(schedule.expectedCostQuote, point.expectedCostQuote), 'a frontier point is the schedule at its lambda')
})

t.test('every OpenAPI example of POST /v1/estimate (one per strategy) is answered 200 with a sane cost', async (t) => {
  const app = await build(t)
  const doc = (await app.inject('/docs/json')).json()
  const examples = doc.paths['/v1/estimate'].post.requestBody.content['application/json'].examples as Record<string, { value: unknown }>
  t.same(Object.keys(examples), ['immediate', 'twap', 'vwap', 'pov', 'optimal'])
  for (const [name, { value }] of Object.entries(examples)) {
    const res = await post(app, '/v1/estimate', value)
    t.equal(res.statusCode, 200, `${name}: ${res.body}`)
    const e = res.json()
    t.equal(e.execution.strategy, name)
    t.ok(e.totalCostBps > 0 && e.totalCostBps < 100, `${name}: ${e.totalCostBps} bps`)
  }
})

t.test('issue 14 item 2: an impact of 100 % of the price or more is a 422 naming qtyBase, for buys and sells and every model', async (t) => {
  const app = await build(t)
  // the execution model's I* = a1 * volDaily * sqrt(Q/ADV) passes 1 near Q/ADV = (1 / (a1 * volDaily))^2, a few hundred days of volume
  for (const model of ['istar', 'sqrt', 'linear', 'mlp']) {
    for (const side of ['buy', 'sell']) {
      const res = await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side, qtyBase: 1e11, model })
      if (res.statusCode === 200) {
        // a learned model may predict a bounded cost: then the fill price must stay positive
        t.ok(res.json().expectedAvgPriceQuote > 0, `${model} ${side}: ${res.body}`)
        continue
      }
      t.equal(res.statusCode, 422, `${model} ${side}: ${res.body}`)
      t.same([res.json().field, res.json().rule], ['body/qtyBase', 'small enough that impact + half spread stays below 100 % of the price'])
    }
  }
  const execution = await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'sell', qtyBase: 1e11, execution: { strategy: 'twap', horizonDays: 1 } })
  t.same([execution.statusCode, execution.json().field], [422, 'body/qtyBase'])
})
