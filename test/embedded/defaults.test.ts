// Checks the committed embedded defaults on their own: no access to ../shared/data needed.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { linearFromJson, predictLinear } from '../../src/domain/learn/linear-regression.js'
import { mlpFromJson, mlpToJson, predictMlp } from '../../src/domain/learn/mlp.js'
import { impactFeatures, IMPACT_FEATURE_NAMES } from '../../src/domain/learn/impact-features.js'
import { sqrtImpactCost, validateSqrtImpactParams } from '../../src/domain/impact/sqrt-impact.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

function readText (name: string): string {
  return readFileSync(new URL(`../../embedded/${name}`, import.meta.url), 'utf8')
}

const marketText = readText('market-state.json')
const modelsText = readText('models.json')
const market = JSON.parse(marketText)
const models = JSON.parse(modelsText)

/** Every number in a JSON tree with its path. */
function numberLeaves (node: Json, path = '$'): Array<[string, number]> {
  if (typeof node === 'number') return [[path, node]]
  if (Array.isArray(node)) return node.flatMap((child, i) => numberLeaves(child, `${path}[${i}]`))
  if (node !== null && typeof node === 'object') return Object.entries(node).flatMap(([k, child]) => numberLeaves(child, `${path}.${k}`))
  return []
}

/** Every {value, origin} object in a JSON tree with its path. */
function sourcedNodes (node: Json, path = '$'): Array<[string, { value: unknown, origin: unknown }]> {
  if (Array.isArray(node)) return node.flatMap((child, i) => sourcedNodes(child, `${path}[${i}]`))
  if (node !== null && typeof node === 'object') {
    if ('value' in node && 'origin' in node) return [[path, node as { value: unknown, origin: unknown }]]
    return Object.entries(node).flatMap(([k, child]) => sourcedNodes(child, `${path}.${k}`))
  }
  return []
}

t.test('both files are canonical JSON as the script writes it (2-space indent, trailing newline)', async (t) => {
  t.equal(marketText, JSON.stringify(market, null, 2) + '\n')
  t.equal(modelsText, JSON.stringify(models, null, 2) + '\n')
  for (const file of [market, models]) {
    t.equal(file.generatedBy, 'npm run defaults (scripts/build-defaults.ts)')
    t.ok(typeof file.description === 'string' && file.description.length > 50, 'has a real description')
  }
})

t.test('market-state: every number is a finite value with a non-empty origin', async (t) => {
  const leaves = numberLeaves(market)
  const sourced = sourcedNodes(market)
  t.ok(leaves.length >= 16, `found ${leaves.length} numbers`)
  for (const [path, value] of leaves) {
    t.ok(Number.isFinite(value), `${path} is finite`)
    // a value is one number, or one array of numbers under one origin (the hourly volume shares)
    t.ok(/\.value(\[\d+\])?$/.test(path), `${path} is the value of a {value, origin} pair, not a bare number`)
  }
  const counted = sourced.reduce((n, [, node]) => n + (Array.isArray(node.value) ? node.value.length : 1), 0)
  t.equal(counted, leaves.length, 'every number sits under an origin')
  for (const [path, node] of sourced) {
    const values = Array.isArray(node.value) ? node.value : [node.value]
    t.ok(values.length > 0 && values.every((v) => typeof v === 'number' && Number.isFinite(v)), `${path}.value finite`)
    t.ok(typeof node.origin === 'string' && node.origin.trim().length >= 20, `${path}.origin says where it came from`)
  }
})

t.test('market-state: each symbol\'s volume profile has 24 shares >= 0 summing to 1 within 1e-9 as stored', async (t) => {
  for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
    const profile = market.symbols[symbol].volumeProfile
    t.ok(profile, `${symbol} has a volume profile`)
    t.ok(typeof profile.source === 'string' && profile.source.length > 10, `${symbol} says what it comes from`)
    const shares = profile.hourlyShares.value as number[]
    t.equal(shares.length, 24)
    t.ok(shares.every((s) => s >= 0 && s < 0.25), `${symbol} shares in [0, 0.25)`)
    t.ok(Math.abs(shares.reduce((a, b) => a + b, 0) - 1) <= 1e-9, `${symbol} shares sum to 1`)
    t.ok(profile.days.value >= 1, `${symbol} profile from ${profile.days.value} days`)
  }
  t.match(market.symbols.ETHUSDT.volumeProfile.hourlyShares.origin, /^PROXY/, 'ETHUSDT says its profile is a proxy')
})

t.test('market-state: fee rates per category are fractions in [0, 0.01], taker >= maker', async (t) => {
  for (const category of ['linear', 'inverse', 'spot']) {
    const fees = market.fees[category]
    for (const kind of ['takerFeeRate', 'makerFeeRate']) {
      t.ok(fees[kind].value >= 0 && fees[kind].value <= 0.01, `${category}.${kind} = ${fees[kind].value}`)
    }
    t.ok(fees.takerFeeRate.value >= fees.makerFeeRate.value, `${category}: taker >= maker`)
  }
})

t.test('market-state: BTCUSDT and ETHUSDT present with plausible magnitudes', async (t) => {
  const minMs = Date.UTC(2020, 0, 1)
  const maxMs = Date.UTC(2030, 0, 1)
  for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
    const s = market.symbols[symbol]
    t.ok(s, `${symbol} present`)
    t.equal(s.category, 'linear')
    t.ok(s.volDaily.value > 0.001 && s.volDaily.value < 0.5, `${symbol} volDaily ${s.volDaily.value} in (0.001, 0.5)`)
    t.ok(s.spreadBps.value > 0 && s.spreadBps.value < 50, `${symbol} spreadBps ${s.spreadBps.value} in (0, 50)`)
    t.ok(s.advBase.value > 0, `${symbol} advBase > 0`)
    t.ok(s.priceQuote.value > 0, `${symbol} priceQuote > 0`)
    t.ok(s.asOfMs.value > minMs && s.asOfMs.value < maxMs, `${symbol} asOfMs is a 2020s epoch-ms time`)
  }
  // coarse sanity bands (orders of magnitude for 2024-2025, not exact values)
  t.ok(market.symbols.BTCUSDT.priceQuote.value > 10_000 && market.symbols.BTCUSDT.priceQuote.value < 500_000, 'BTC price band')
  t.ok(market.symbols.ETHUSDT.priceQuote.value > 500 && market.symbols.ETHUSDT.priceQuote.value < 50_000, 'ETH price band')
})

t.test('models: every number finite; sqrt params sourced and in sane ranges', async (t) => {
  for (const [path, value] of numberLeaves(models)) t.ok(Number.isFinite(value), `${path} finite`)
  const sqrt = models.sqrt
  for (const key of ['impactCoef', 'impactExponent', 'smearingFactor']) {
    t.ok(Number.isFinite(sqrt[key].value), `sqrt.${key}.value finite`)
    t.ok(typeof sqrt[key].origin === 'string' && sqrt[key].origin.length >= 20, `sqrt.${key}.origin non-empty`)
  }
  const params = { impactCoef: sqrt.impactCoef.value, impactExponent: sqrt.impactExponent.value, smearingFactor: sqrt.smearingFactor.value }
  t.ok(params.impactExponent >= 0.2 && params.impactExponent <= 1, `delta ${params.impactExponent} in [0.2, 1]`)
  t.ok(params.impactCoef > 0 && params.impactCoef <= 5, `eta ${params.impactCoef} in (0, 5]`)
  t.ok(params.smearingFactor >= 1 && params.smearingFactor <= 3, `smearing ${params.smearingFactor} in [1, 3] (mean(exp(e)) >= exp(mean e) = 1 by Jensen)`)
  t.doesNotThrow(() => validateSqrtImpactParams(params), 'accepted by validateSqrtImpactParams')
  // closed form: cost = eta * sigma * sqrt(p) * smearing when delta = 0.5; in general p^delta (rel 1e-12)
  const volDaily = market.symbols.BTCUSDT.volDaily.value
  const expected = params.impactCoef * volDaily * Math.pow(0.01, params.impactExponent) * params.smearingFactor
  t.ok(Math.abs(sqrtImpactCost(params, 0.01, volDaily) - expected) <= 1e-12 * expected, 'sqrtImpactCost at 1 % ADV matches the closed form')
})

t.test('models: dataset is a walk-forward split and the metrics are self-consistent', async (t) => {
  const d = models.dataset
  t.ok(d.trainFromMs < d.trainToMs && d.trainToMs < d.testFromMs && d.testFromMs < d.testToMs, 'train strictly before test')
  t.ok(d.samples.train > 1000 && d.samples.test > 1000, 'enough samples')
  t.ok(Number.isInteger(d.windowMinutes) && d.windowMinutes >= 1 && Number.isInteger(d.lookbackMinutes), 'integer window and lookback')
  t.ok(d.files.length > 0 && d.files.every((f: string) => !f.startsWith('/') && !f.includes('..')), 'files are data-relative paths')
  const m = models.sqrt.calibration.metrics
  const chosen = m.selected === 'deltaHalfRefit' ? m.deltaHalfRefit : m.logLinear
  const other = m.selected === 'deltaHalfRefit' ? m.logLinear : m.deltaHalfRefit
  t.ok(chosen.outOfSampleMse <= other.outOfSampleMse, 'the selected sqrt candidate has the lower out-of-sample MSE (the selection rule)')
  t.equal(m.outOfSampleMse, chosen.outOfSampleMse)
  t.equal(models.sqrt.impactCoef.value, chosen.impactCoef, 'embedded eta is the selected candidate\'s')
  for (const name of ['linear', 'mlp']) {
    const metrics = models[name].calibration.metrics
    t.ok(metrics.outOfSampleR2 <= 1 && Number.isFinite(metrics.outOfSampleMse) && metrics.outOfSampleMse > 0, `${name} metrics present`)
  }
  t.ok(m.outOfSampleR2 > m.zero.outOfSampleR2, 'the served sqrt model beats predicting zero out of sample')
  for (const name of ['sqrt', 'linear', 'mlp']) {
    const c = models[name].calibration
    t.ok(c.participationRange.min > 0 && c.participationRange.min < c.participationRange.max, `${name} participationRange ordered`)
    t.ok(c.volDailyRange.min > 0 && c.volDailyRange.min < c.volDailyRange.max, `${name} volDailyRange ordered`)
  }
})

t.test('models: linear and MLP JSON load and predict finite values', async (t) => {
  const linear = linearFromJson(models.linear.model)
  const mlp = mlpFromJson(models.mlp.model)
  t.same(mlpToJson(mlp), models.mlp.model, 'MLP JSON round-trips exactly')
  t.same([...linear.featureNames], [...IMPACT_FEATURE_NAMES])
  t.same([...mlp.featureNames], [...IMPACT_FEATURE_NAMES])
  for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
    const s = market.symbols[symbol]
    for (const participation of [0.0001, 0.01, 0.05]) {
      const row = impactFeatures({ participation, relSpread: s.spreadBps.value / 10_000, volDaily: s.volDaily.value, sideSign: 1 })
      const linearCost = predictLinear(linear, row)
      // independent reference: intercept + sum coef_j * (x_j - mean_j) / std_j from the raw JSON (rel 1e-12)
      const j = models.linear.model
      const reference = row.reduce((acc: number, x: number, i: number) => acc + j.coefficients[i] * (x - j.standardiser.mean[i]) / j.standardiser.std[i], j.intercept)
      t.ok(Math.abs(linearCost - reference) <= 1e-12 * Math.max(1e-9, Math.abs(reference)) + 1e-18, `${symbol} p=${participation}: linear matches hand evaluation`)
      const mlpCost = predictMlp(mlp, row)
      t.ok(Number.isFinite(mlpCost) && Math.abs(mlpCost) < 1, `${symbol} p=${participation}: MLP cost ${mlpCost} finite and below 100 %`)
    }
  }
})

t.test('issue 14: each learned model\'s cost is symmetric and non-decreasing in size on a log grid over its validity range', async (t) => {
  // Property, checked independently of shape.ts: participation log-spaced (calibration.shapeGrid.points,
  // 50) over calibration.participationRange (the training range, the validity range served), at
  // 1. the volDaily / relSpread values the build's gate checked (calibration.shapeGrid: the minimum,
  //    10th, 50th and 90th percentiles and maximum of the training windows): must hold;
  // 2. the ends of calibration.volDailyRange at relSpread 0 and the embedded BTCUSDT / ETHUSDT spreads:
  //    must hold too (before issue 14's fix the MLP dipped by up to ~1 bps at the training maximum volDaily).
  const learned = { linear: linearFromJson(models.linear.model), mlp: mlpFromJson(models.mlp.model) }
  const predict = { linear: (row: number[]) => predictLinear(learned.linear, row), mlp: (row: number[]) => predictMlp(learned.mlp, row) }
  const check = (name: 'linear' | 'mlp', vols: readonly number[], spreads: readonly number[]): { falls: number, asymmetric: number, worst: string } => {
    const { participationRange: p, shapeGrid } = models[name].calibration
    const n: number = shapeGrid.points
    const grid = Array.from({ length: n }, (_, i) => i === n - 1 ? p.max : p.min * (p.max / p.min) ** (i / (n - 1)))
    let falls = 0
    let asymmetric = 0
    let worst = ''
    for (const volDaily of vols) {
      for (const relSpread of spreads) {
        let previous = -Infinity
        for (const participation of grid) {
          const buy = predict[name](impactFeatures({ participation, relSpread, volDaily, sideSign: 1 }))
          const sell = predict[name](impactFeatures({ participation, relSpread, volDaily, sideSign: -1 }))
          if (buy !== sell) asymmetric++
          // a fall larger than 1e-12 (1e-8 bps, float noise) breaks monotonicity
          if (buy < previous - 1e-12) { falls++; worst ||= `${previous * 1e4} -> ${buy * 1e4} bps at participation ${participation}, volDaily ${volDaily}, relSpread ${relSpread}` }
          previous = buy
        }
      }
    }
    return { falls, asymmetric, worst }
  }
  for (const name of ['linear', 'mlp'] as const) {
    const c = models[name].calibration
    t.same(c.shapeGrid.participationRange, [c.participationRange.min, c.participationRange.max], `${name}: the gate's grid spans the validity range`)
    const gated = check(name, c.shapeGrid.volDaily, c.shapeGrid.relSpread)
    t.equal(gated.asymmetric, 0, `${name}: buy cost == sell cost on the gate's grid`)
    t.equal(gated.falls, 0, `${name}: cost never falls with size on the gate's grid ${gated.worst}`)
    const spreads = [0, market.symbols.BTCUSDT.spreadBps.value / 10_000, market.symbols.ETHUSDT.spreadBps.value / 10_000]
    const ends = check(name, [c.volDailyRange.min, c.volDailyRange.max], spreads)
    t.equal(ends.asymmetric, 0, `${name}: buy cost == sell cost at the volDaily range ends`)
    t.equal(ends.falls, 0, `${name}: cost never falls with size at the volDaily range ends ${ends.worst}`)
  }
})
