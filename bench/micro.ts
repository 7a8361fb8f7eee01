/**
 * Micro-benchmarks: each domain function against a hand-written inline loop computing the same
 * numbers, timed in the same process. Before timing, both are checked to agree to 1e-12 relative,
 * so the baseline is honest. Every result goes into a sink that is returned and printed, so no
 * call can be dropped as dead code.
 */
import { sqrtImpactCost, type SqrtImpactParams } from '../src/domain/impact/sqrt-impact.js'
import { mlpFromJson, predictMlp, type MlpJson } from '../src/domain/learn/mlp.js'
import { impactFeatures } from '../src/domain/learn/impact-features.js'
import { createRng } from '../src/domain/learn/rng.js'
import { optimalSchedule, type AlmgrenChrissParams } from '../src/domain/execution/almgren-chriss.js'
import { powerLawSchedule, type PowerLawScheduleParams } from '../src/domain/execution/power-law-schedule.js'
import { instantaneousImpact } from '../src/domain/impact/istar.js'
import { loadEmbeddedModels } from '../src/models/embedded-models.js'
import { medianOf } from './lib/stats.js'
import fastJson from 'fast-json-stringify'
import { EstimateResponse } from '../src/schemas/estimate.js'

export interface MicroOptions {
  /** timed repetitions per implementation (median reported) */
  reps: number
  /** target wall time of one repetition, ms */
  repMs: number
  modelsPath: string
}

export interface MicroResult {
  name: string
  libraryNsPerCall: number
  inlineNsPerCall: number
  /** library / inline */
  ratio: number
  /** library calls per timed repetition */
  callsPerRep: number
  /** baseline calls per timed repetition: each side runs about repMs per repetition */
  baselineCallsPerRep: number
  reps: number
  /** largest relative difference found in the equality check; null when the baseline is a reference computing something else */
  maxRelDiff: number | null
  /** the row's target in words ("ratio <= 30"), absent when it has none */
  target?: string
  /** target met; absent when the row has none */
  pass?: boolean
}

interface MicroCase {
  name: string
  /** n calls of the library function; returns the sum of what they returned */
  library: (n: number) => number
  /** n calls of the inline baseline; returns the sum of what they returned */
  inline: (n: number) => number
  /** largest relative difference between the two over the case's inputs (must be <= 1e-12) */
  maxRelDiff: () => number
}

/**
 * A row timed against a reference that computes something else (no equality check): it has a target,
 * library at most maxRatio times the reference's time, and a check of the library's answers that throws
 * when they are wrong and returns a difference to report, or null.
 */
interface ReferenceCase extends Omit<MicroCase, 'maxRelDiff'> {
  check: () => number | null
  maxRatio: number
}

const INPUTS = 1024 // a power of two: `i & (INPUTS - 1)` cycles the inputs without a modulo
const MASK = INPUTS - 1
const TOLERANCE = 1e-12

function relDiff (a: number, b: number): number {
  if (a === b) return 0
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b))
}

function sqrtCase (params: Required<SqrtImpactParams>): MicroCase {
  const rng = createRng(1)
  const advBase = 120_000
  const qty = Float64Array.from({ length: INPUTS }, () => Math.exp(2 + 2 * rng.normal()))
  const vol = Float64Array.from({ length: INPUTS }, () => 0.01 + 0.05 * rng.next())
  const { impactCoef, smearingFactor } = params
  return {
    name: 'sqrt impact cost (sqrtImpactCost)',
    library: (n) => {
      let acc = 0
      for (let i = 0; i < n; i++) acc += sqrtImpactCost(params, qty[i & MASK] / advBase, vol[i & MASK])
      return acc
    },
    inline: (n) => {
      let acc = 0
      for (let i = 0; i < n; i++) acc += impactCoef * vol[i & MASK] * Math.sqrt(qty[i & MASK] / advBase) * smearingFactor
      return acc
    },
    maxRelDiff: () => {
      let worst = 0
      for (let i = 0; i < INPUTS; i++) {
        worst = Math.max(worst, relDiff(sqrtImpactCost(params, qty[i] / advBase, vol[i]), impactCoef * vol[i] * Math.sqrt(qty[i] / advBase) * smearingFactor))
      }
      return worst
    }
  }
}

/**
 * A plain forward pass over the JSON weights copied into Float64Arrays: standardise, two ReLU layers,
 * linear output; for an anchored network (mlp.ts 4c) minus the same pass with the anchored inputs at raw 0.
 */
function inlineMlp (json: MlpJson): (row: ArrayLike<number>) => number {
  const [nIn, h1, h2] = json.layerSizes
  const w1 = Float64Array.from(json.layers[0].weights.flat())
  const b1 = Float64Array.from(json.layers[0].biases)
  const w2 = Float64Array.from(json.layers[1].weights.flat())
  const b2 = Float64Array.from(json.layers[1].biases)
  const w3 = Float64Array.from(json.layers[2].weights[0])
  const b3 = json.layers[2].biases[0]
  const mean = Float64Array.from(json.standardiser.mean)
  const std = Float64Array.from(json.standardiser.std)
  const z = new Float64Array(nIn)
  const a1 = new Float64Array(h1)
  const { targetMean, targetStd, anchoredInputs } = json
  const net = (): number => {
    for (let j = 0; j < h1; j++) {
      let acc = b1[j]
      for (let i = 0; i < nIn; i++) acc += w1[j * nIn + i] * z[i]
      a1[j] = acc > 0 ? acc : 0
    }
    let out = b3
    for (let k = 0; k < h2; k++) {
      let acc = b2[k]
      for (let j = 0; j < h1; j++) acc += w2[k * h1 + j] * a1[j]
      out += w3[k] * (acc > 0 ? acc : 0)
    }
    return out
  }
  return (row) => {
    for (let i = 0; i < nIn; i++) z[i] = (row[i] - mean[i]) / std[i]
    let out = net()
    if (anchoredInputs.length > 0) {
      for (const i of anchoredInputs) z[i] = -mean[i] / std[i]
      out -= net()
    }
    return targetMean + targetStd * out
  }
}

function mlpCase (json: MlpJson): MicroCase {
  const model = mlpFromJson(json)
  const forward = inlineMlp(json)
  const rng = createRng(2)
  // realistic feature rows: orders of 0.001% to 5% of a day's volume on 1-6 %/day volatility
  const rows = Array.from({ length: INPUTS }, () => impactFeatures({
    participation: Math.exp(-9 + 2 * rng.normal()),
    relSpread: 1e-4 * (0.5 + rng.next()),
    volDaily: 0.01 + 0.05 * rng.next(),
    sideSign: rng.next() < 0.5 ? 1 : -1
  }))
  return {
    name: `MLP forward pass ${json.layerSizes.join('-')} (predictMlp)`,
    library: (n) => {
      let acc = 0
      for (let i = 0; i < n; i++) acc += predictMlp(model, rows[i & MASK])
      return acc
    },
    inline: (n) => {
      let acc = 0
      for (let i = 0; i < n; i++) acc += forward(rows[i & MASK])
      return acc
    },
    maxRelDiff: () => rows.reduce((worst, row) => Math.max(worst, relDiff(predictMlp(model, row), forward(row))), 0)
  }
}

interface InlineSchedule { kappa: number, timesDays: number[], holdingsBase: number[], tradesBase: number[], expectedCostQuote: number, varianceQuote2: number }

/** Almgren-Chriss (2000) closed form: x_j = X sinh(kappa (T - t_j)) / sinh(kappa T), with E and V. */
function inlineSchedule (p: AlmgrenChrissParams): InlineSchedule {
  const { initialHoldingsBase: x0, horizonDays: horizon, periods: n, riskAversion, volQuote, permanentImpact, temporaryImpact, halfSpreadQuote } = p
  const tau = horizon / n
  const etaTilde = temporaryImpact - permanentImpact * tau / 2
  const kappaTilde = Math.sqrt(riskAversion * volQuote * volQuote / etaTilde)
  // (2/tau^2)(cosh(kappa tau) - 1) = kappaTilde^2 solved as 2 asinh(kappaTilde tau / 2): acosh(1 + tiny) would lose ~5e-11
  const kappa = 2 * Math.asinh(kappaTilde * tau / 2) / tau
  const sinhKappaT = Math.sinh(kappa * horizon)
  const timesDays = new Array<number>(n + 1)
  const holdingsBase = new Array<number>(n + 1)
  const tradesBase = new Array<number>(n)
  timesDays[0] = 0
  holdingsBase[0] = x0
  let sumAbsTrade = 0
  let sumSqTrade = 0
  let sumSqHolding = 0
  for (let j = 1; j <= n; j++) {
    timesDays[j] = j * tau
    const x = j === n ? 0 : x0 * Math.sinh(kappa * tau * (n - j)) / sinhKappaT
    holdingsBase[j] = x
    const trade = holdingsBase[j - 1] - x
    tradesBase[j - 1] = trade
    sumAbsTrade += Math.abs(trade)
    sumSqTrade += trade * trade
    sumSqHolding += x * x
  }
  const expectedCostQuote = permanentImpact * x0 * x0 / 2 + halfSpreadQuote * sumAbsTrade + etaTilde / tau * sumSqTrade
  const varianceQuote2 = volQuote * volQuote * tau * sumSqHolding
  return { kappa, timesDays, holdingsBase, tradesBase, expectedCostQuote, varianceQuote2 }
}

function scheduleCase (periods: number): MicroCase {
  // Almgren & Chriss (2000), section 3 example (1e6 shares over 5 days), on a grid of `periods` intervals;
  // lambda varies per call so no two calls are the same
  const base = { initialHoldingsBase: 1e6, horizonDays: 5, periods, volQuote: 0.95, permanentImpact: 2.5e-7, temporaryImpact: 2.5e-6, halfSpreadQuote: 0.0625 }
  const lambdas = Float64Array.from({ length: 16 }, (_, i) => 1e-7 * (1 + i))
  const paramsAt = (i: number): AlmgrenChrissParams => ({ ...base, riskAversion: lambdas[i & 15] })
  return {
    name: `Almgren-Chriss schedule N=${periods} (optimalSchedule)`,
    library: (n) => {
      let acc = 0
      for (let i = 0; i < n; i++) {
        const s = optimalSchedule(paramsAt(i))
        acc += s.expectedCostQuote + s.holdingsBase[1]
      }
      return acc
    },
    inline: (n) => {
      let acc = 0
      for (let i = 0; i < n; i++) {
        const s = inlineSchedule(paramsAt(i))
        acc += s.expectedCostQuote + s.holdingsBase[1]
      }
      return acc
    },
    maxRelDiff: () => {
      let worst = 0
      for (let i = 0; i < lambdas.length; i++) {
        const lib = optimalSchedule(paramsAt(i))
        const own = inlineSchedule(paramsAt(i))
        worst = Math.max(worst, relDiff(lib.kappa, own.kappa), relDiff(lib.expectedCostQuote, own.expectedCostQuote), relDiff(lib.varianceQuote2, own.varianceQuote2))
        for (let j = 0; j <= periods; j++) {
          worst = Math.max(worst, relDiff(lib.holdingsBase[j], own.holdingsBase[j]), relDiff(lib.timesDays[j], own.timesDays[j]))
        }
        for (let j = 0; j < periods; j++) worst = Math.max(worst, relDiff(lib.tradesBase[j], own.tradesBase[j]))
      }
      return worst
    }
  }
}

/**
 * The Almgren-Chriss (2000) parameters of the same order with linear impact: a = 1 and constant v make
 * the power-law period cost P*k*POV*|n| = (k*P/v)*n^2, AC's (etaTilde/tau)*n^2, so eta = k*P*tau/v
 * (gamma = 0) and epsilon = c0*P (the mapping test/domain/execution/power-law-schedule.test.ts checks to 1e-9).
 */
function linearEquivalent (p: PowerLawScheduleParams): AlmgrenChrissParams {
  const tau = p.horizonDays / p.periods
  return {
    initialHoldingsBase: p.initialHoldingsBase,
    horizonDays: p.horizonDays,
    periods: p.periods,
    riskAversion: p.riskAversion,
    volQuote: p.volQuote,
    permanentImpact: 0,
    temporaryImpact: p.rateImpactCoef * p.priceQuote * tau / p.periodVolumeBase[0],
    halfSpreadQuote: (p.fixedImpactRate ?? 0) * p.priceQuote
  }
}

/** Target of issue 13: the power-law schedule at most 30 times the closed-form linear schedule's time, same N. */
const POWER_LAW_MAX_RATIO = 30

/**
 * Issue 13: powerLawSchedule (Newton on the holdings) against the closed-form linear schedule of the same
 * order and N (optimalSchedule, the sinh trajectory). A BTCUSDT-like sell of 12 BTC over one hour in
 * `periods` slices at 80,000 USDT, 3 %/day volatility, 50,000 BTC/day spread evenly, maxParticipation 0.25;
 * k = b1*I* and c0 = (1-b1)*I* from I-Star (a1 = 0.5, a2 = 0.5, b1 = 0.9: I* = 2.3e-4). lambda varies per
 * call (5e-7 to 2e-6 per USDT: kappa*T about 4 to 8 for a = 1, the first POV 2-5 %, under the cap), both
 * sides on the same lambda. Different numbers for a != 1, so no equality check: the a = 1 row reports how
 * far the power-law holdings are from the closed form (relative to |X|), which is not gated at 1e-12.
 */
function powerLawCase (periods: number, exponent: number): ReferenceCase {
  const qty = 12
  const price = 80_000
  const volDaily = 0.03
  const advBase = 50_000
  const horizonDays = 1 / 24
  const istar = instantaneousImpact({ a1: 0.5, a2: 0.5, a4: exponent, b1: 0.9 }, qty / advBase, volDaily)
  const base: PowerLawScheduleParams = {
    initialHoldingsBase: qty,
    horizonDays,
    periods,
    riskAversion: 1e-6,
    volQuote: volDaily * price,
    priceQuote: price,
    periodVolumeBase: new Array<number>(periods).fill(advBase * horizonDays / periods),
    rateImpactCoef: 0.9 * istar,
    rateImpactExponent: exponent,
    fixedImpactRate: 0.1 * istar,
    maxParticipation: 0.25
  }
  const lambdas = Float64Array.from({ length: 16 }, (_, i) => 5e-7 * 4 ** (i / 15))
  const powerLaw = Array.from(lambdas, (riskAversion) => ({ ...base, riskAversion }))
  const linear = powerLaw.map(linearEquivalent)
  const check = (): number | null => {
    let worst = 0
    for (let i = 0; i < lambdas.length; i++) {
      const s = powerLawSchedule(powerLaw[i])
      if (!s.converged || s.cappedPeriods !== 0) throw new Error(`power-law N=${periods} a=${exponent} lambda=${lambdas[i]}: converged=${s.converged}, ${s.cappedPeriods} capped periods (expected converged, uncapped)`)
      if (exponent !== 1) continue
      const ac = optimalSchedule(linear[i])
      for (let j = 0; j <= periods; j++) worst = Math.max(worst, Math.abs(s.holdingsBase[j] - ac.holdingsBase[j]) / qty)
    }
    return exponent === 1 ? worst : null
  }
  return {
    name: `power-law schedule N=${periods} a=${exponent} (powerLawSchedule) vs closed-form linear (optimalSchedule)`,
    library: (n) => {
      let acc = 0
      for (let i = 0; i < n; i++) {
        const s = powerLawSchedule(powerLaw[i & 15])
        acc += s.expectedCostQuote + s.holdingsBase[1]
      }
      return acc
    },
    inline: (n) => {
      let acc = 0
      for (let i = 0; i < n; i++) {
        const s = optimalSchedule(linear[i & 15])
        acc += s.expectedCostQuote + s.holdingsBase[1]
      }
      return acc
    },
    check,
    maxRatio: POWER_LAW_MAX_RATIO
  }
}

/** The response fields of an estimate that are doubles, in schema order (marketState's two excluded: integers). */
const ESTIMATE_DOUBLES = ['qtyBase', 'priceQuote', 'notionalQuote', 'participation', 'volDaily', 'advBase', 'spreadBps', 'impactBps', 'impactQuote',
  'spreadCostBps', 'spreadCostQuote', 'feeBps', 'feeQuote', 'totalCostBps', 'totalCostQuote', 'timingRiskBps', 'timingRiskQuote', 'expectedCostBps', 'modelRiskBps', 'costStdBps',
  'expectedAvgPriceQuote'] as const
/** The cost quantiles (issue 15), doubles too, in costQuantilesBps. */
const QUANTILE_KEYS = ['p05', 'p50', 'p90', 'p95', 'p99'] as const

/**
 * Not a domain function: what one estimate costs to put on the wire. fast-json-stringify compiled
 * from the response schema (what Fastify runs for /v1/estimate and per order of a batch) against
 * formatting the response's 26 doubles alone (`'' + x`), the floor any JSON serializer has. 26 * 1,024
 * distinct doubles, so V8's number-to-string cache does not answer for them.
 */
function jsonCase (): MicroCase {
  const serialize = fastJson(EstimateResponse)
  const rng = createRng(3)
  const estimates = Array.from({ length: INPUTS }, () => {
    const e: Record<string, unknown> = {}
    e.symbol = 'BTCUSDT'
    e.side = rng.next() < 0.5 ? 'buy' : 'sell'
    for (const k of ESTIMATE_DOUBLES) e[k] = Math.exp(3 * rng.normal()) // 1e-4 to 1e4, as prices, sizes and bps are
    e.costQuantilesBps = Object.fromEntries(QUANTILE_KEYS.map((k) => [k, Math.exp(3 * rng.normal())]))
    e.execution = { strategy: 'immediate', horizonDays: 0, periods: 1, averageParticipation: 1 }
    e.model = { name: 'istar', version: 'embedded-istar-66439ee66621', source: 'embedded' }
    e.inputs = { priceQuote: 'market-state', volDaily: 'market-state', advBase: 'market-state', spreadBps: 'market-state' }
    e.marketState = { source: 'embedded', asOfMs: 1742539980000, ageMs: 54079362863 }
    e.warnings = []
    return e
  })
  const doubles = estimates.map((e) => [...ESTIMATE_DOUBLES.map((k) => e[k] as number), ...QUANTILE_KEYS.map((k) => (e.costQuantilesBps as Record<string, number>)[k])])
  return {
    name: 'estimate response to JSON (fast-json-stringify)',
    library: (n) => {
      let acc = 0
      for (let i = 0; i < n; i++) acc += serialize(estimates[i & MASK]).length
      return acc
    },
    inline: (n) => {
      let acc = 0
      for (let i = 0; i < n; i++) {
        const d = doubles[i & MASK]
        for (let k = 0; k < d.length; k++) acc += ('' + d[k]).length
      }
      return acc
    },
    // the same 18 numbers come back from either text
    maxRelDiff: () => {
      let worst = 0
      for (let i = 0; i < INPUTS; i++) {
        const parsed = JSON.parse(serialize(estimates[i])) as Record<string, number>
        for (let k = 0; k < ESTIMATE_DOUBLES.length; k++) worst = Math.max(worst, relDiff(parsed[ESTIMATE_DOUBLES[k]], Number('' + doubles[i][k])))
      }
      return worst
    }
  }
}

function timeNs (fn: (n: number) => number, n: number, sink: { value: number }): number {
  const start = process.hrtime.bigint()
  sink.value += fn(n)
  return Number(process.hrtime.bigint() - start)
}

/**
 * Calls per repetition so that one repetition of each side takes about repMs, [library, baseline]. Each
 * side gets its own count: with one count for both, a reference 30 times faster ran 2 ms windows against
 * the library's 60 ms, and on a loaded machine the median short window misses the preemptions every long
 * one contains (ratio biased up). Both sides are sized from the same n, back to back, so that a change
 * of load between two sizings does not skew the windows.
 */
function callsFor (c: Pick<MicroCase, 'library' | 'inline'>, repMs: number, sink: { value: number }): [number, number] {
  const calls = (n: number, ns: number): number => Math.max(1, Math.round(n * repMs * 1e6 / Math.max(ns, 1)))
  let n = 16
  for (;;) {
    const library = timeNs(c.library, n, sink)
    const inline = timeNs(c.inline, n, sink)
    if (Math.max(library, inline) >= 20e6 || n >= 1 << 28) return [calls(n, library), calls(n, inline)]
    n *= 4
  }
}

function runCase (c: MicroCase | ReferenceCase, options: MicroOptions, sink: { value: number }): MicroResult {
  let maxRelDiff: number | null
  if ('maxRelDiff' in c) {
    maxRelDiff = c.maxRelDiff()
    if (!(maxRelDiff <= TOLERANCE)) throw new Error(`micro-benchmark ${c.name}: the inline baseline differs from the library by ${maxRelDiff} relative (> ${TOLERANCE})`)
  } else maxRelDiff = c.check()
  const [calls, baselineCalls] = callsFor(c, options.repMs, sink)
  // warm-up: both implementations optimised by the JIT before any timed repetition
  timeNs(c.library, calls, sink)
  timeNs(c.inline, baselineCalls, sink)
  const library: number[] = []
  const inline: number[] = []
  for (let r = 0; r < options.reps; r++) {
    // alternate which runs first so drift hits both equally
    if (r % 2 === 0) {
      library.push(timeNs(c.library, calls, sink) / calls)
      inline.push(timeNs(c.inline, baselineCalls, sink) / baselineCalls)
    } else {
      inline.push(timeNs(c.inline, baselineCalls, sink) / baselineCalls)
      library.push(timeNs(c.library, calls, sink) / calls)
    }
  }
  const libraryNsPerCall = medianOf(library)
  const inlineNsPerCall = medianOf(inline)
  const ratio = libraryNsPerCall / inlineNsPerCall
  const result: MicroResult = { name: c.name, libraryNsPerCall, inlineNsPerCall, ratio, callsPerRep: calls, baselineCallsPerRep: baselineCalls, reps: options.reps, maxRelDiff }
  if ('maxRatio' in c) {
    result.target = `ratio <= ${c.maxRatio}`
    result.pass = ratio <= c.maxRatio
  }
  return result
}

/** Runs every micro-benchmark; `sink` is the sum of every result computed (print it). */
export function runMicro (options: MicroOptions): { results: MicroResult[], sink: number } {
  const models = loadEmbeddedModels(options.modelsPath)
  const sqrt = models.sqrt.record
  const mlp = models.mlp.record
  if (sqrt.name !== 'sqrt' || mlp.name !== 'mlp') throw new Error(`${options.modelsPath}: expected sqrt and mlp records`)
  const cases = [sqrtCase(sqrt.params), mlpCase(mlp.model), scheduleCase(1000), ...[0.3, 0.5, 1].map((a) => powerLawCase(1000, a)), jsonCase()]
  const sink = { value: 0 }
  const results = cases.map((c) => runCase(c, options, sink))
  return { results, sink: sink.value }
}
