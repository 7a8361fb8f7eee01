import t from 'tap'
import fc from 'fast-check'
import {
  powerLawSchedule,
  type PowerLawScheduleParams
} from '../../../src/domain/execution/power-law-schedule.js'
import { maxAbsDiff, objective, twapHoldings, vwapHoldings } from './power-law-fixtures.js'

// Property tests, seeded for reproducibility (as almgren-chriss.property.test.ts).
const SEED = 13

/** 10^u, u uniform in [lo, hi]. */
const logUniform = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc.double({ min: lo, max: hi, noNaN: true }).map((u) => 10 ** u)

/**
 * Random problems, lambda set through the dimensionless urgency beta = lambda*sigma^2*tau*|X|/(P*k)
 * so that every regime from TWAP-like to front-loaded is drawn; the cap, when present, is feasible.
 */
const problemArb: fc.Arbitrary<PowerLawScheduleParams> = fc.record({
  sizeBase: logUniform(-2, 4),
  sell: fc.boolean(),
  horizonDays: logUniform(-2, 1),
  shape: fc.array(fc.double({ min: 0.2, max: 2, noNaN: true }), { minLength: 2, maxLength: 60 }),
  povScale: logUniform(-3, 0), // X / sum(v)
  priceQuote: logUniform(0, 5),
  volDaily: fc.double({ min: 0.005, max: 0.1, noNaN: true }),
  rateImpactCoef: logUniform(-4, -1),
  rateImpactExponent: fc.double({ min: 0.4, max: 2.2, noNaN: true }),
  urgency: fc.oneof(fc.constant(0), logUniform(-3, 3)),
  fixedImpactRate: fc.oneof(fc.constant(0), logUniform(-5, -3)),
  capSlack: fc.oneof(fc.constant(0), fc.double({ min: 1.05, max: 6, noNaN: true }))
}).map((r) => {
  const n = r.shape.length
  const shapeSum = r.shape.reduce((s, v) => s + v, 0)
  const periodVolumeBase = r.shape.map((v) => v * r.sizeBase / (r.povScale * shapeSum))
  const tau = r.horizonDays / n
  const volQuote = r.volDaily * r.priceQuote
  const p: PowerLawScheduleParams = {
    initialHoldingsBase: r.sell ? r.sizeBase : -r.sizeBase,
    horizonDays: r.horizonDays,
    periods: n,
    riskAversion: r.urgency * r.priceQuote * r.rateImpactCoef / (volQuote * volQuote * tau * r.sizeBase),
    volQuote,
    priceQuote: r.priceQuote,
    periodVolumeBase,
    rateImpactCoef: r.rateImpactCoef,
    rateImpactExponent: r.rateImpactExponent,
    fixedImpactRate: r.fixedImpactRate
  }
  if (r.capSlack > 0) p.maxParticipation = r.capSlack * r.povScale
  return p
})

/** Moves `amount` between two trades, clipped so both stay in [0, cap*v] (sell frame): stays feasible. */
function exchange (p: PowerLawScheduleParams, holdings: number[], from: number, to: number, fraction: number): number[] {
  const sign = Math.sign(p.initialHoldingsBase)
  const trades = holdings.slice(1).map((x, j) => sign * (holdings[j] - x))
  const capOf = (j: number): number => p.maxParticipation === undefined ? Infinity : p.maxParticipation * p.periodVolumeBase[j]
  const amount = Math.min(fraction * trades[from], capOf(to) - trades[to])
  trades[from] -= amount
  trades[to] += amount
  const out = [p.initialHoldingsBase]
  let left = Math.abs(p.initialHoldingsBase)
  for (let j = 0; j < trades.length; j++) {
    left -= trades[j]
    out.push(j === trades.length - 1 ? 0 : sign * left)
  }
  return out
}

t.test('property: the optimum beats TWAP, VWAP and feasible exchanges between periods (rel 1e-12)', async (t) => {
  fc.assert(fc.property(problemArb, fc.array(fc.tuple(fc.nat(), fc.nat(), logUniform(-6, 0)), { minLength: 1, maxLength: 8 }),
    (p, moves) => {
      const s = powerLawSchedule(p)
      const best = objective(p, s.holdingsBase)
      const n = p.periods
      if (!s.converged || Math.abs(best - s.objectiveQuote) > 1e-12 * best) return false
      if (best > objective(p, vwapHoldings(p.initialHoldingsBase, p.periodVolumeBase)) * (1 + 1e-12)) return false
      const twapPov = Math.abs(p.initialHoldingsBase) / n / Math.min(...p.periodVolumeBase)
      if ((p.maxParticipation === undefined || twapPov <= p.maxParticipation) &&
        best > objective(p, twapHoldings(p.initialHoldingsBase, n)) * (1 + 1e-12)) return false
      return moves.every(([i, j, fraction]) =>
        i % n === j % n || objective(p, exchange(p, s.holdingsBase, i % n, j % n, fraction)) >= best * (1 - 1e-12))
    }), { seed: SEED, numRuns: 300 })
  t.pass('300 seeded problems')
})

/**
 * Independent reference (no Newton, no bisection on the capped prefix): the KKT conditions as a backward
 * recursion. With g_t = P*k*(1+a)*POV_t^a + mu_t (mu_t >= 0 only at the cap), stationarity in x_{t+1} is
 * g_t = g_{t+1} + 2*lambda*sigma^2*tau*x_{t+1}, and POV_t = min(cap, (g_t/(P*k*(1+a)))^(1/a)). From a trial
 * g_N every quantity follows by adding positive terms backwards, x_0 rises with g_N, and g_N is found by
 * bisection on its logarithm so that x_0 = |X|. Returns null when the answer needs g_N below 1e-300.
 */
function kktChainHoldings (p: PowerLawScheduleParams): number[] | null {
  const n = p.periods
  const a = p.rateImpactExponent
  const unitCost = p.priceQuote * p.rateImpactCoef * (1 + a)
  const riskSlope = 2 * p.riskAversion * p.volQuote ** 2 * (p.horizonDays / n)
  const cap = p.maxParticipation ?? Infinity
  const holdings = new Array<number>(n + 1).fill(0)
  const firstHolding = (logG: number): number => {
    let g = Math.exp(logG)
    for (let t = n - 1; t >= 0; t--) {
      holdings[t] = holdings[t + 1] + p.periodVolumeBase[t] * Math.min(cap, (g / unitCost) ** (1 / a))
      g += riskSlope * holdings[t]
    }
    return holdings[0]
  }
  const size = Math.abs(p.initialHoldingsBase)
  let lo = Math.log(1e-300)
  let hi = Math.log(unitCost * (size / Math.min(...p.periodVolumeBase)) ** a) + 1 // one period alone would overfill
  if (firstHolding(lo) > size) return null
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.abs(hi); i++) {
    const mid = (lo + hi) / 2
    if (firstHolding(mid) > size) hi = mid
    else lo = mid
  }
  firstHolding(hi)
  const scale = p.initialHoldingsBase / holdings[0]
  return holdings.map((h, j) => (j === 0 ? p.initialHoldingsBase : h * scale))
}

t.test('property: the schedule equals the KKT backward recursion (holdings within 1e-9*|X|)', async (t) => {
  let compared = 0
  fc.assert(fc.property(problemArb, (p) => {
    const reference = kktChainHoldings(p)
    if (reference === null) return true // tail below 1e-300: not representable by the reference
    compared++
    return maxAbsDiff(powerLawSchedule(p).holdingsBase, reference) <= 1e-9 * Math.abs(p.initialHoldingsBase)
  }), { seed: SEED, numRuns: 300 })
  t.ok(compared >= 250, `${compared} of 300 seeded problems compared`)
})

t.test('property: Newton from VWAP with bisection on the capped prefix finds the same schedule (within 1e-9*|X|)', async (t) => {
  fc.assert(fc.property(problemArb, (p) => {
    const cold = powerLawSchedule(p, { warmStart: false })
    return cold.converged && cold.cappedPeriods === powerLawSchedule(p).cappedPeriods &&
      maxAbsDiff(cold.holdingsBase, powerLawSchedule(p).holdingsBase) <= 1e-9 * Math.abs(p.initialHoldingsBase)
  }), { seed: SEED, numRuns: 300 })
  t.pass('300 seeded problems')
})

t.test('property: KKT conditions, monotone holdings, POV <= cap and non-increasing (rel 1e-8 of the gradient scale)', async (t) => {
  // dF/dx_i = c'_{i+1} - c'_i + 2*lambda*sigma^2*tau*x_i with c'_j = P*(k*(1+a)*POV_j^a + c0) (sell frame);
  // 0 on free holdings; capped trades j <= m carry mu_{j} = sum_{i=j..m} dF/dx_i >= 0 (computed here, not by the solver)
  fc.assert(fc.property(problemArb, (p) => {
    const s = powerLawSchedule(p)
    const n = p.periods
    const sign = Math.sign(p.initialHoldingsBase)
    const a = p.rateImpactExponent
    const tau = p.horizonDays / n
    const marginal = s.participation.map((pov) => p.priceQuote * (p.rateImpactCoef * (1 + a) * pov ** a + (p.fixedImpactRate ?? 0)))
    const riskSlope = 2 * p.riskAversion * p.volQuote ** 2 * tau
    const scale = Math.max(...marginal) + riskSlope * Math.abs(p.initialHoldingsBase)
    const grad = (i: number): number => marginal[i] - marginal[i - 1] + riskSlope * sign * s.holdingsBase[i]
    let multiplier = 0
    for (let i = 1; i < n; i++) {
      if (i > s.cappedPeriods && Math.abs(grad(i)) > 1e-8 * scale) return false
    }
    for (let i = s.cappedPeriods; i >= 1; i--) {
      multiplier += grad(i)
      if (multiplier < -1e-8 * scale) return false
    }
    for (let j = 0; j < n; j++) {
      if (sign * s.tradesBase[j] < 0) return false
      if (p.maxParticipation !== undefined && s.participation[j] > p.maxParticipation * (1 + 1e-12)) return false
      if (j > 0 && s.participation[j] > s.participation[j - 1] * (1 + 1e-8) + 1e-12) return false
    }
    return s.holdingsBase[0] === p.initialHoldingsBase && s.holdingsBase[n] === 0
  }), { seed: SEED, numRuns: 300 })
  t.pass('300 seeded problems')
})

t.test('property: a buy mirrors a sell exactly; scaling X and v by s (lambda by 1/s) scales holdings by s, E by s, V by s^2', async (t) => {
  fc.assert(fc.property(problemArb, logUniform(-3, 3), (p, s) => {
    const sell = powerLawSchedule({ ...p, initialHoldingsBase: Math.abs(p.initialHoldingsBase) })
    const buy = powerLawSchedule({ ...p, initialHoldingsBase: -Math.abs(p.initialHoldingsBase) })
    if (sell.expectedCostQuote !== buy.expectedCostQuote || sell.varianceQuote2 !== buy.varianceQuote2) return false
    if (!sell.holdingsBase.every((x, j) => x === -buy.holdingsBase[j] || (x === 0 && buy.holdingsBase[j] === 0))) return false
    // source: E = P*|X|*(k*sum d*POV^a + c0*sum d) is 1-homogeneous and V 2-homogeneous at fixed POV path
    const scaled = powerLawSchedule({
      ...p,
      initialHoldingsBase: s * p.initialHoldingsBase,
      periodVolumeBase: p.periodVolumeBase.map((v) => s * v),
      riskAversion: p.riskAversion / s
    })
    const x = Math.abs(p.initialHoldingsBase)
    return maxAbsDiff(scaled.holdingsBase.map((h) => h / s), sell.holdingsBase.map((h) => h * Math.sign(p.initialHoldingsBase))) <= 1e-9 * x &&
      Math.abs(scaled.expectedCostQuote / (s * sell.expectedCostQuote) - 1) <= 1e-9 &&
      Math.abs(scaled.varianceQuote2 - s * s * sell.varianceQuote2) <= 1e-9 * s * s * sell.varianceQuote2 + 1e-300
  }), { seed: SEED, numRuns: 200 })
  t.pass('200 seeded problems')
})

t.test('property: with lambda = 0 and no cap, E is homogeneous of degree 1 + a in X (rel 1e-10)', async (t) => {
  // source: the optimum is VWAP (Jensen), so E = P*k*X^(1+a)/sum(v)^a, c0 = gamma = 0
  fc.assert(fc.property(problemArb, logUniform(-3, 3), (p, s) => {
    const base = { ...p, riskAversion: 0, maxParticipation: undefined, fixedImpactRate: 0 }
    const e1 = powerLawSchedule(base).expectedCostQuote
    const e2 = powerLawSchedule({ ...base, initialHoldingsBase: s * p.initialHoldingsBase }).expectedCostQuote
    return Math.abs(e2 / (e1 * s ** (1 + p.rateImpactExponent)) - 1) <= 1e-10
  }), { seed: SEED, numRuns: 200 })
  t.pass('200 seeded problems')
})
