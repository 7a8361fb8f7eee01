import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { createRng, type Rng } from '../../src/domain/learn/rng.js'
import { RedisTcaStore } from '../../src/store/redis-tca-store.js'
import { build, post, numbersIn } from '../helper.js'
import { sharedRedis } from '../support/redis-test.js'

/**
 * Issue 15 sections 2 and 3: each TCA trade is scored against the prediction of the same
 * execution (POST /v1/estimate: impact + half spread, std costStdBps), and
 * GET /v1/models/:symbol/calibration reads the stored records back with a verdict. Fills are drawn
 * from a known model: IS = impactScale * impact + half spread + noiseScale * std * N(0, 1), seeded.
 */
const ARRIVAL = 84000
const BID = ARRIVAL - 0.05
const ASK = ARRIVAL + 0.05
const SPREAD_BPS = (ASK - BID) / ARRIVAL * 1e4
const HORIZON_MS = 15 * 60_000
const T0 = 1_767_600_000_000
const DAY_MS = 86_400_000

interface Drawn { trades: Array<Record<string, unknown>>, predicted: number[], std: number[], participation: number[] }

/** n worked trades of BTCUSDT (10 to 200 BTC, alternating sides), their predictions from POST /v1/estimate/batch, and fills drawn around them. */
async function drawFills (app: FastifyInstance, rng: Rng, n: number, impactScale: number, noiseScale: number): Promise<Drawn> {
  const sizes = Array.from({ length: n }, () => 10 * 20 ** rng.next())
  const starts = sizes.map((_, i) => T0 + i * 3_600_000)
  const orders = sizes.map((qtyBase, i) => ({ symbol: 'BTCUSDT', side: i % 2 === 0 ? 'buy' : 'sell', qtyBase, priceQuote: ARRIVAL, spreadBps: SPREAD_BPS, execution: { strategy: 'twap', horizonDays: HORIZON_MS / DAY_MS, startMs: starts[i] } }))
  const batch = await post(app, '/v1/estimate/batch', { orders })
  if (batch.statusCode !== 200) throw new Error(batch.body)
  const estimates = batch.json().results as Array<{ impactBps: number, spreadCostBps: number, costStdBps: number, participation: number }>
  const out: Drawn = { trades: [], predicted: [], std: [], participation: [] }
  estimates.forEach((e, i) => {
    const isBps = impactScale * e.impactBps + e.spreadCostBps + noiseScale * e.costStdBps * rng.normal()
    const sign = orders[i].side === 'buy' ? 1 : -1
    out.trades.push({ symbol: 'BTCUSDT', side: orders[i].side, qtyBase: sizes[i], arrivalPriceQuote: ARRIVAL, execPriceQuote: ARRIVAL * (1 + sign * isBps / 1e4), bidQuote: BID, askQuote: ASK, startMs: starts[i], endMs: starts[i] + HORIZON_MS, executedAtMs: starts[i] + HORIZON_MS, strategy: 'twap' })
    out.predicted.push(e.impactBps + e.spreadCostBps)
    out.std.push(e.costStdBps)
    out.participation.push(e.participation)
  })
  return out
}

async function calibration (app: FastifyInstance, query = ''): Promise<any> {
  const res = await app.inject(`/v1/models/BTCUSDT/calibration${query}`)
  if (res.statusCode !== 200) throw new Error(res.body)
  return res.json()
}

async function scenario (t: Test, app: FastifyInstance, seed: number, impactScale: number, noiseScale: number, n = 400): Promise<any> {
  const drawn = await drawFills(app, createRng(seed), n, impactScale, noiseScale)
  const tca = await post(app, '/v1/tca', { trades: drawn.trades })
  t.equal(tca.statusCode, 200, tca.body.slice(0, 300))
  const body = tca.json()
  // every trade's prediction is the estimate of the same execution (relative 1e-9)
  let worst = 0
  body.trades.forEach((r: { predictedCostBps: number, predictedStdBps: number, zScore: number, implementationShortfallBps: number }, i: number) => {
    worst = Math.max(worst, Math.abs(r.predictedCostBps - drawn.predicted[i]) / drawn.predicted[i], Math.abs(r.predictedStdBps - drawn.std[i]) / drawn.std[i],
      Math.abs(r.zScore - (r.implementationShortfallBps - r.predictedCostBps) / r.predictedStdBps))
  })
  t.ok(worst < 1e-9, `TCA predictions = POST /v1/estimate of the same execution (worst relative difference ${worst})`)
  t.equal(body.summary.prediction.n, n, 'every trade scored')
  const report = await calibration(app)
  t.equal(report.scored, n)
  t.equal(report.overall.n, n)
  t.equal(report.byParticipationDecile.reduce((a: number, d: { n: number }) => a + d.n, 0), n, 'deciles hold every fill')
  t.equal(report.zHistogram.counts.reduce((a: number, c: number) => a + c, 0), n, 'histogram holds every fill')
  t.ok(numbersIn(report).every(Number.isFinite), 'finite')
  t.ok(Math.abs(report.overall.meanZ - body.summary.prediction.meanZ) < 1e-12, 'the report over the store agrees with the TCA summary')
  return report
}

for (const storeKind of ['file', 'redis'] as const) {
  t.test(`${storeKind} store: fills drawn from the model itself are calibrated`, async (t) => {
    const tcaStore = storeKind === 'redis' ? await (async () => { const { redis, prefix } = await sharedRedis(t); return new RedisTcaStore({ redis, prefix, retentionMs: 10_000 * DAY_MS }) })() : undefined
    const app = await build(t, {}, tcaStore !== undefined ? { tcaStore } : {})
    const n = 400
    const report = await scenario(t, app, 15, 1, 1, n)
    const o = report.overall
    // sampling bounds: mean z within 3 / sqrt(n) of 0, std z within 10 % of 1 (the criteria)
    t.ok(Math.abs(o.meanZ) <= 3 / Math.sqrt(n), `mean z ${o.meanZ as number} within ${3 / Math.sqrt(n)}`)
    t.ok(Math.abs(o.stdZ - 1) <= 0.1, `std z ${o.stdZ as number} within 10 % of 1`)
    t.equal(o.verdict, 'calibrated')
    t.same(report.models, [{ name: 'istar', version: report.models[0].version, n }], 'scored by the embedded execution model')
  })
}

t.test('fills with twice the impact are biased; with three times the noise, overconfident', async (t) => {
  const biased = await scenario(t, await build(t), 16, 2, 1)
  t.equal(biased.overall.verdict, 'biased', `mean z ${biased.overall.meanZ as number}`)
  t.ok(biased.overall.biasBps > 0, 'cost more than predicted: positive bias')
  const noisy = await scenario(t, await build(t), 17, 1, 3)
  t.equal(noisy.overall.verdict, 'overconfident', `std z ${noisy.overall.stdZ as number}, coverage ${noisy.overall.bandCoverage as number}`)
})

t.test('buys and sells are scored alike: a mirrored fill has the same z', async (t) => {
  const app = await build(t)
  const base = { symbol: 'BTCUSDT', qtyBase: 50, arrivalPriceQuote: ARRIVAL, bidQuote: BID, askQuote: ASK, startMs: T0, endMs: T0 + HORIZON_MS, strategy: 'vwap' }
  const res = (await post(app, '/v1/tca', { trades: [{ ...base, side: 'buy', execPriceQuote: ARRIVAL * 1.001 }, { ...base, side: 'sell', execPriceQuote: ARRIVAL * 0.999 }] })).json()
  const [b, s] = res.trades
  t.equal(s.predictedCostBps, b.predictedCostBps)
  t.equal(s.predictedStdBps, b.predictedStdBps)
  t.ok(Math.abs(s.zScore - b.zScore) < 1e-9, `z ${b.zScore as number} = ${s.zScore as number}`)
})

t.test('the report filters by time and participation, and refuses empty ranges naming the field', async (t) => {
  const app = await build(t)
  const drawn = await drawFills(app, createRng(18), 60, 1, 1)
  t.equal((await post(app, '/v1/tca', { trades: drawn.trades })).statusCode, 200)
  const all = await calibration(app)
  t.equal(all.scored, 60)
  const firstHalf = await calibration(app, `?until=${T0 + 30 * 3_600_000}`)
  t.equal(firstHalf.scored, 30, 'until: executions at or before (executedAtMs = start + 15 min)')
  const lateHalf = await calibration(app, `?since=${T0 + 30 * 3_600_000}`)
  t.equal(lateHalf.scored, 30)
  const sorted = [...drawn.participation].sort((a, b) => a - b)
  const small = await calibration(app, `?maxParticipation=${sorted[19]}`)
  t.equal(small.scored, 20, 'the 20 smallest')
  t.equal(small.overall.verdict, 'calibrated', '20 fills are enough for a verdict')
  const few = await calibration(app, `?minParticipation=${sorted[50]}`)
  t.equal(few.scored, 10)
  t.equal(few.overall.verdict, 'insufficient-data')
  const bad = await app.inject(`/v1/models/BTCUSDT/calibration?since=${T0 + 10}&until=${T0}`)
  t.equal(bad.statusCode, 422)
  t.equal(bad.json().field, 'querystring/until')
  const unknown = await app.inject('/v1/models/BTCUSDT/calibration?sinse=1')
  t.equal(unknown.statusCode, 400)

  // immediate fills (no startMs/endMs) beside the 60 worked ones: the execution filter reports them apart
  const immediate = drawn.trades.slice(0, 8).map(({ startMs, endMs, strategy, ...trade }) => trade)
  const scoredImmediate = await post(app, '/v1/tca', { trades: immediate })
  t.equal(scoredImmediate.statusCode, 200)
  t.ok(scoredImmediate.json().trades.every((r: { zScore?: number }) => r.zScore !== undefined), 'immediate fills are scored too (model risk only)')
  t.equal((await calibration(app)).scored, 68, 'both kinds by default')
  const worked = await calibration(app, '?execution=worked')
  t.equal(worked.scored, 60)
  t.same(worked.overall, all.overall, 'worked only: the report before the immediate fills came')
  t.equal((await calibration(app, '?execution=immediate')).scored, 8)
  t.equal((await calibration(app, `?execution=immediate&maxParticipation=${sorted[59]}&until=${T0 + 60 * 3_600_000}`)).scored, 8, 'with the other filters')
  const badKind = await app.inject('/v1/models/BTCUSDT/calibration?execution=twap')
  t.equal(badKind.statusCode, 400)
  t.match(badKind.json(), { field: 'querystring/execution' })
  t.match(badKind.json().message, /worked.*immediate/, 'the allowed values named')
  const none = await calibration(app.inject !== undefined ? app : app, '')
  t.equal(none.symbol, 'BTCUSDT')
  const empty = (await app.inject('/v1/models/ETHUSDT/calibration')).json()
  t.equal(empty.scored, 0)
  t.equal(empty.overall.verdict, 'insufficient-data')
  t.equal(empty.overall.meanZ, undefined, 'absent, never NaN or null, for no fills')
  t.notMatch(JSON.stringify(empty), /null/, 'no null anywhere')
})

t.test('GET /v1/models/:symbol/versions lists each model\'s served versions with validation metrics', async (t) => {
  const app = await build(t)
  const res = await app.inject('/v1/models/BTCUSDT/versions')
  t.equal(res.statusCode, 200, res.body)
  const body = res.json()
  t.same(body.models.map((m: { name: string }) => m.name).sort(), ['istar', 'linear', 'mlp', 'sqrt'])
  for (const m of body.models) {
    t.equal(m.versions.length, 1, `${m.name as string}: the embedded version`)
    t.same({ version: m.versions[0].version, active: m.versions[0].active, source: m.versions[0].source, createdAtMs: m.versions[0].createdAtMs }, { version: m.activeVersion, active: true, source: 'embedded', createdAtMs: undefined })
    t.same(m.history, [{ version: m.activeVersion }], `${m.name as string}: the embedded version, active since the start (no fromMs)`)
  }
  t.ok(body.models.find((m: { name: string }) => m.name === 'sqrt').versions[0].validation.outOfSampleR2 > 0, 'sqrt: its out-of-sample R2')
  t.equal((await app.inject('/v1/models/btc/versions')).statusCode, 400, 'a malformed symbol is refused')
})

t.test('/metrics exports mean z and band coverage per symbol over the last 7 days, as the report computes them', async (t) => {
  const app = await build(t)
  const startMs = Date.now() - 2 * DAY_MS
  const base = { symbol: 'BTCUSDT', qtyBase: 50, arrivalPriceQuote: ARRIVAL, bidQuote: BID, askQuote: ASK, strategy: 'twap' }
  const trades = [1.0004, 1.0012, 0.9995, 1.003].map((f, i) => ({ ...base, side: 'buy', execPriceQuote: ARRIVAL * f, startMs: startMs + i * 60_000, endMs: startMs + i * 60_000 + HORIZON_MS, executedAtMs: startMs + i * 60_000 + HORIZON_MS }))
  t.equal((await post(app, '/v1/tca', { trades })).statusCode, 200)
  const report = await calibration(app, `?since=${Date.now() - 7 * DAY_MS}`)
  t.equal(report.scored, 4)
  const metrics = (await app.inject('/metrics')).body
  const value = (name: string): number => Number(new RegExp(`^${name}\\{symbol="BTCUSDT"\\} (\\S+)$`, 'm').exec(metrics)?.[1])
  t.equal(value('pretrade_calibration_fills'), 4)
  t.ok(Math.abs(value('pretrade_calibration_mean_z') - report.overall.meanZ) < 1e-9, `mean z ${value('pretrade_calibration_mean_z')} = ${report.overall.meanZ as number}`)
  t.ok(Math.abs(value('pretrade_calibration_band_coverage') - report.overall.bandCoverage) < 1e-12)
  t.match(metrics, /^pretrade_calibration_fills\{symbol="ETHUSDT"\} 0$/m, 'a symbol without fills reports 0 fills and no mean')
  t.notMatch(metrics, /pretrade_calibration_mean_z\{symbol="ETHUSDT"\}/)
})
