import t from 'tap'
import type { Test } from 'tap'
import { readFileSync } from 'node:fs'
import { build, post, numbersIn } from '../helper.js'

/**
 * Issue 15 section 1: every estimate, batch item, check, schedule and frontier point reports the
 * cost as a normal distribution: expectedCostBps (= totalCostBps), timingRiskBps, modelRiskBps (delta
 * method on the execution model's covariance), costStdBps = hypot(timing, model) and the quantiles
 * mean + z_p std. Expected values: closed forms named per assertion.
 */
const models = JSON.parse(readFileSync('embedded/models.json', 'utf8'))
const a1 = models.istar.params.a1.value as number
const seA1 = Math.sqrt(models.istar.calibration.covariance.matrix[0][0] as number)
// standard normal quantiles (R: qnorm(c(0.9, 0.95, 0.99)), 16 digits)
const Z = { p90: 1.2815515655446004, p95: 1.6448536269514722, p99: 2.3263478740408408 }
const rel = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * Math.max(1e-12, Math.abs(b))

interface Dist { expectedCostBps: number, totalCostBps?: number, timingRiskBps: number, modelRiskBps?: number, costStdBps: number, costQuantilesBps: Record<'p05' | 'p50' | 'p90' | 'p95' | 'p99', number> }

function checkDistribution (t: Test, d: Dist, label: string): void {
  const q = d.costQuantilesBps
  t.ok(rel(d.costStdBps, Math.hypot(d.timingRiskBps, d.modelRiskBps ?? 0), 1e-12), `${label}: costStd = hypot(timing, model)`)
  t.equal(q.p50, d.expectedCostBps, `${label}: p50 = the mean (normal)`)
  t.ok(q.p05 <= q.p50 && q.p50 <= q.p90 && q.p90 <= q.p95 && q.p95 <= q.p99, `${label}: quantiles monotone`)
  // quantiles = mean + z_p std (z from R's qnorm, relative 1e-12 of the std)
  for (const [k, z] of Object.entries(Z) as Array<[keyof typeof Z, number]>) t.ok(Math.abs(q[k] - (d.expectedCostBps + z * d.costStdBps)) <= 1e-12 * Math.max(1, d.costStdBps) + 1e-12 * Math.abs(d.expectedCostBps), `${label}: ${k} = mean + ${z} std`)
  t.ok(Math.abs(q.p05 - (d.expectedCostBps - Z.p95 * d.costStdBps)) <= 1e-9, `${label}: p05 mirrors p95`)
  t.ok(numbersIn(d).every(Number.isFinite), `${label}: finite`)
}

t.test('estimate: immediate and worked, buy and sell: the distribution, and model risk = impact se(a1)/a1 for the square-root law', async (t) => {
  const app = await build(t)
  for (const execution of [undefined, { strategy: 'twap', horizonDays: 0.05 }, { strategy: 'vwap', horizonDays: 0.25 }, { strategy: 'pov', participationRate: 0.05 }, { strategy: 'optimal', horizonDays: 0.1, riskAversion: 1e-6 }]) {
    const bodies = []
    for (const side of ['buy', 'sell']) {
      const res = await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side, qtyBase: 40, ...(execution !== undefined ? { execution } : {}) })
      t.equal(res.statusCode, 200, res.body)
      bodies.push(res.json())
    }
    const [buy, sell] = bodies
    const label = execution?.strategy ?? 'immediate'
    checkDistribution(t, buy, label)
    t.equal(buy.expectedCostBps, buy.totalCostBps, `${label}: expectedCostBps is totalCostBps`)
    // embedded istar: square-root law, only a1 estimated, impact proportional to a1 along any fixed
    // trajectory, so the delta method gives impact * se(a1) / a1 exactly (relative 1e-6: central differences)
    t.ok(rel(buy.modelRiskBps, buy.impactBps * seA1 / a1, 1e-6), `${label}: modelRisk ${buy.modelRiskBps} = impact ${buy.impactBps} x ${seA1} / ${a1}`)
    for (const k of ['expectedCostBps', 'timingRiskBps', 'modelRiskBps', 'costStdBps', 'costQuantilesBps'] as const) t.same(sell[k], buy[k], `${label}: ${k} same for a sell`)
    if (execution === undefined) t.equal(buy.timingRiskBps, 0, 'immediate: no timing risk')
  }
})

t.test('monotone in size: a bigger order has a higher expected cost and p95', async (t) => {
  const app = await build(t)
  let last: Dist | undefined
  for (const qtyBase of [1, 10, 100, 1000]) {
    const d = (await post(app, '/v1/estimate', { symbol: 'ETHUSDT', side: 'sell', qtyBase, execution: { strategy: 'twap', horizonDays: 0.1 } })).json()
    if (last !== undefined) t.ok(d.expectedCostBps > last.expectedCostBps && d.costQuantilesBps.p95 >= last.costQuantilesBps.p95, `${qtyBase}: mean and p95 grow`)
    last = d
  }
})

t.test('the same execution has the same distribution in estimate, batch, check, schedule and frontier', async (t) => {
  const app = await build(t)
  const execution = { strategy: 'twap', horizonDays: 0.05, periods: 12, startMs: 1767618000000 }
  const order = { symbol: 'BTCUSDT', side: 'buy', qtyBase: 25, execution }
  const estimate = (await post(app, '/v1/estimate', order)).json()
  const batch = (await post(app, '/v1/estimate/batch', { orders: [order] })).json()
  const check = (await post(app, '/v1/pretrade/check', { order, limits: { maxCostBps: 1000 } })).json()
  const schedule = (await post(app, '/v1/schedule', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 25, strategy: 'twap', horizonDays: 0.05, periods: 12, startMs: 1767618000000 })).json()
  const pick = (d: Dist) => ({ expectedCostBps: d.expectedCostBps, timingRiskBps: d.timingRiskBps, modelRiskBps: d.modelRiskBps, costStdBps: d.costStdBps, costQuantilesBps: d.costQuantilesBps })
  const batchItem = batch.results?.[0] ?? batch.estimates?.[0] ?? batch[0]
  t.same(pick(batchItem.estimate ?? batchItem), pick(estimate), 'batch = estimate')
  t.same(pick(check.estimate), pick(estimate), 'check = estimate')
  for (const k of ['expectedCostBps', 'timingRiskBps', 'modelRiskBps', 'costStdBps'] as const) t.ok(rel(schedule[k], estimate[k], 1e-12), `schedule ${k} ${schedule[k]} = estimate ${estimate[k]}`)
  for (const k of ['p05', 'p50', 'p95', 'p99'] as const) t.ok(rel(schedule.costQuantilesBps[k], estimate.costQuantilesBps[k], 1e-12), `schedule ${k}`)
  const optimal = (await post(app, '/v1/estimate', { ...order, execution: { strategy: 'optimal', horizonDays: 0.05, periods: 12, startMs: 1767618000000, riskAversion: 1e-5 } })).json()
  const frontier = (await post(app, '/v1/schedule/frontier', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 25, horizonDays: 0.05, periods: 12, startMs: 1767618000000, riskAversions: [1e-5, 0] })).json()
  t.equal(frontier.points.length, 2)
  t.ok(rel(frontier.points[0].costQuantilesBps.p95, optimal.costQuantilesBps.p95, 1e-12), 'frontier point p95 = estimate of that optimal execution')
  for (const p of frontier.points) checkDistribution(t, p, `frontier lambda ${p.riskAversion as number}`)
  t.same(frontier.warnings, [], 'no warnings: the embedded model has a covariance')
})

t.test('pretrade check: maxCostBpsP95 compares the cost\'s 95th percentile, and a violation names it', async (t) => {
  const app = await build(t)
  const order = { symbol: 'BTCUSDT', side: 'sell', qtyBase: 100, execution: { strategy: 'twap', horizonDays: 0.0833 } }
  const p95 = (await post(app, '/v1/estimate', order)).json().costQuantilesBps.p95 as number
  const at = (await post(app, '/v1/pretrade/check', { order, limits: { maxCostBpsP95: p95 } })).json()
  t.equal(at.allowed, true, 'a limit equal to the value passes')
  const below = (await post(app, '/v1/pretrade/check', { order, limits: { maxCostBpsP95: p95 * 0.99, maxCostBps: 1000 } })).json()
  t.equal(below.allowed, false)
  t.same(below.violations, [{ rule: 'maxCostBpsP95', limit: p95 * 0.99, value: p95 }])
  const negative = await post(app, '/v1/pretrade/check', { order, limits: { maxCostBpsP95: -1 } })
  t.equal(negative.statusCode, 400)
  t.equal(negative.json().field, 'body/limits/maxCostBpsP95')
})

t.test('a size-only model has no covariance: modelRiskBps absent, a warning, quantiles from timing risk only', async (t) => {
  const app = await build(t)
  for (const model of ['sqrt', 'linear', 'mlp']) {
    const d = (await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: 25, model })).json()
    t.equal(d.modelRiskBps, undefined, `${model}: modelRiskBps absent`)
    t.equal(d.costStdBps, 0, `${model}: immediate, no timing risk`)
    t.ok(d.warnings.some((w: { code: string }) => w.code === 'MODEL_RISK_UNAVAILABLE'), `${model}: MODEL_RISK_UNAVAILABLE`)
    checkDistribution(t, d, model)
  }
})

t.test('nothing non-finite at the edges: validity range ends, zero risk aversion, long horizons', async (t) => {
  const app = await build(t)
  const range = models.istar.calibration.participationRange
  const adv = 47293.887
  for (const participation of [range.min * 1.0001, range.max * 0.9999]) {
    const res = await post(app, '/v1/estimate', { symbol: 'BTCUSDT', side: 'buy', qtyBase: participation * adv, advBase: adv })
    t.equal(res.statusCode, 200, res.body)
    checkDistribution(t, res.json(), `participation ${participation}`)
  }
  for (const body of [
    { symbol: 'BTCUSDT', side: 'buy', qtyBase: 50, strategy: 'optimal', riskAversion: 0, horizonDays: 1, periods: 100 },
    { symbol: 'BTCUSDT', side: 'sell', qtyBase: 5000, strategy: 'vwap', horizonDays: 30, periods: 1440 }
  ]) {
    const res = await post(app, '/v1/schedule', body)
    t.equal(res.statusCode, 200, res.body)
    checkDistribution(t, res.json(), `schedule ${body.strategy}`)
  }
})

t.test('Almgren-Chriss with the caller\'s parameters: the distribution of sqrt(V), finite even for kappa T very large', async (t) => {
  const app = await build(t)
  // the paper's example (Almgren & Chriss 2000, section 5) with a price, so bps are defined
  const paper = { side: 'sell', qtyBase: 1e6, horizonDays: 5, periods: 5, volQuote: 0.95, permanentImpact: 2.5e-7, temporaryImpact: 2.5e-6, halfSpreadQuote: 1 / 16, priceQuote: 50 }
  for (const riskAversion of [0, 1e-6, 1e3]) {
    const res = await post(app, '/v1/schedule', { ...paper, riskAversion })
    t.equal(res.statusCode, 200, res.body)
    const s = res.json()
    const notional = paper.qtyBase * paper.priceQuote
    t.ok(rel(s.timingRiskBps, s.stdCostQuote / notional * 1e4, 1e-12), `lambda ${riskAversion}: timing risk = sqrt(V) / notional (kappa T ${(s.kappa as number) * paper.horizonDays})`)
    t.equal(s.modelRiskBps, undefined, 'no model risk: the parameters are the caller\'s')
    checkDistribution(t, s, `AC lambda ${riskAversion}`)
  }
  const frontier = (await post(app, '/v1/schedule/frontier', { ...paper, riskAversions: [1e-8, 1e-6, 1e-2, 1e3] })).json()
  for (const p of frontier.points) checkDistribution(t, p, `AC frontier lambda ${p.riskAversion as number}`)
  // a trader picks lambda by p95: along the frontier, more risk aversion lowers the timing risk
  t.ok(frontier.points[3].costStdBps <= frontier.points[0].costStdBps, 'timing risk falls with lambda')
  const noPrice = (await post(app, '/v1/schedule', { ...paper, priceQuote: undefined, riskAversion: 1e-6 })).json()
  t.equal(noPrice.costQuantilesBps, undefined, 'no price, no bps: the distribution is left out')
})
