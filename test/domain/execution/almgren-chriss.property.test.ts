import t from 'tap'
import fc from 'fast-check'
import {
  efficientFrontier,
  optimalSchedule,
  trajectoryCost,
  type AlmgrenChrissParams
} from '../../../src/domain/execution/almgren-chriss.js'

// Property tests, seeded for reproducibility. Every property comes from the paper's model:
// the schedule minimises E + lambda*V over all trajectories with x_0 = X, x_N = 0.

const SEED = 42

/** 10^u, u uniform in [lo, hi]: spans orders of magnitude evenly. */
const logUniform = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc.double({ min: lo, max: hi, noNaN: true }).map((u) => 10 ** u)

/** Valid params over wide ranges; gamma is a fraction of its etaTilde > 0 bound 2*eta/tau. */
const paramsArb: fc.Arbitrary<AlmgrenChrissParams> = fc.record({
  magnitude: logUniform(-3, 9),
  sell: fc.boolean(),
  horizonDays: logUniform(-2, 1.5),
  periods: fc.integer({ min: 1, max: 200 }),
  riskAversion: fc.oneof(fc.constant(0), logUniform(-12, 2)),
  volQuote: fc.oneof(fc.constant(0), logUniform(-3, 1)),
  temporaryImpact: logUniform(-8, -2),
  gammaFraction: fc.double({ min: 0, max: 0.99, noNaN: true }),
  halfSpreadQuote: fc.oneof(fc.constant(0), logUniform(-4, 0))
}).map((r) => ({
  initialHoldingsBase: r.sell ? r.magnitude : -r.magnitude,
  horizonDays: r.horizonDays,
  periods: r.periods,
  riskAversion: r.riskAversion,
  volQuote: r.volQuote,
  temporaryImpact: r.temporaryImpact,
  permanentImpact: r.gammaFraction * 2 * r.temporaryImpact / (r.horizonDays / r.periods),
  halfSpreadQuote: r.halfSpreadQuote
}))

function objective (p: AlmgrenChrissParams, holdings: number[]): number {
  const c = trajectoryCost(p, holdings)
  return c.expectedCostQuote + p.riskAversion * c.varianceQuote2
}

t.test('perturbing interior holdings never lowers E + lambda*V (rel 1e-12 of the objective)', async (t) => {
  fc.assert(fc.property(
    paramsArb.filter((p) => p.periods >= 2),
    fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 199, maxLength: 199 }),
    logUniform(-6, 0),
    (p, directions, size) => {
      const s = optimalSchedule(p)
      const best = objective(p, s.holdingsBase)
      const perturbed = s.holdingsBase.slice()
      for (let j = 1; j < p.periods; j++) perturbed[j] += size * p.initialHoldingsBase * directions[j - 1]
      return objective(p, perturbed) >= best * (1 - 1e-12)
    }
  ), { seed: SEED, numRuns: 400 })
  t.pass('400 seeded cases')
})

t.test('optimal holdings match an independent tridiagonal solve of the first-order conditions (1e-9 |X|)', async (t) => {
  fc.assert(fc.property(paramsArb.filter((p) => p.periods >= 2), (p) => {
    const n = p.periods
    const tau = p.horizonDays / n
    const etaTilde = p.temporaryImpact - p.permanentImpact * tau / 2
    // -x_{j-1} + (2 + lambda sigma^2 tau^2/etaTilde) x_j - x_{j+1} = 0, x_0 = X, x_N = 0 (Thomas algorithm)
    const diag = 2 + p.riskAversion * p.volQuote ** 2 * tau * tau / etaTilde
    const c = new Array<number>(n).fill(0)
    const d = new Array<number>(n).fill(0)
    for (let i = 1; i < n; i++) {
      const denom = diag + (i > 1 ? c[i - 1] : 0)
      c[i] = -1 / denom
      d[i] = ((i === 1 ? p.initialHoldingsBase : 0) + (i > 1 ? d[i - 1] : 0)) / denom
    }
    const x = new Array<number>(n + 1).fill(0)
    x[0] = p.initialHoldingsBase
    for (let i = n - 1; i >= 1; i--) x[i] = d[i] - c[i] * x[i + 1]
    const s = optimalSchedule(p)
    for (let j = 0; j <= n; j++) if (!(Math.abs(s.holdingsBase[j] - x[j]) <= 1e-9 * Math.abs(p.initialHoldingsBase))) return false
    return true
  }), { seed: SEED, numRuns: 400 })
  t.pass('400 seeded cases')
})

t.test('holdings go monotonically from X to 0; trades share X\'s sign and sum to X (rel 1e-9)', async (t) => {
  fc.assert(fc.property(paramsArb, (p) => {
    const s = optimalSchedule(p)
    const X = p.initialHoldingsBase
    const n = p.periods
    if (s.holdingsBase.length !== n + 1 || s.tradesBase.length !== n || s.timesDays.length !== n + 1) return false
    if (s.holdingsBase[0] !== X || s.holdingsBase[n] !== 0 || s.timesDays[n] !== p.horizonDays) return false
    let sum = 0
    for (let j = 1; j <= n; j++) {
      // |x_j| non-increasing and on X's side of zero
      if (!(Math.abs(s.holdingsBase[j]) <= Math.abs(s.holdingsBase[j - 1]))) return false
      if (s.holdingsBase[j] * X < 0) return false
      if (s.tradesBase[j - 1] * X < 0) return false
      sum += s.tradesBase[j - 1]
    }
    return Math.abs(sum - X) <= 1e-9 * Math.abs(X) &&
      Number.isFinite(s.expectedCostQuote) && Number.isFinite(s.varianceQuote2) &&
      (s.halfLifeDays === undefined ? s.kappa === 0 : Math.abs(s.halfLifeDays * s.kappa - 1) < 1e-15)
  }), { seed: SEED, numRuns: 500 })
  t.pass('500 seeded cases')
})

t.test('a buy mirrors a sell exactly: holdings and trades negate, E and V equal', async (t) => {
  fc.assert(fc.property(paramsArb, (p) => {
    const a = optimalSchedule(p)
    const b = optimalSchedule({ ...p, initialHoldingsBase: -p.initialHoldingsBase })
    for (let j = 0; j <= p.periods; j++) if (a.holdingsBase[j] !== -b.holdingsBase[j]) return false
    for (let j = 0; j < p.periods; j++) if (a.tradesBase[j] !== -b.tradesBase[j]) return false
    return a.expectedCostQuote === b.expectedCostQuote && a.varianceQuote2 === b.varianceQuote2
  }), { seed: SEED, numRuns: 300 })
  t.pass('300 seeded cases')
})

/** cosh(x) - 1 without cancellation: Taylor series for |x| < 1, direct otherwise. */
function coshMinusOne (x: number): number {
  if (Math.abs(x) >= 1) return Math.cosh(x) - 1
  let term = x * x / 2
  let sum = 0
  for (let k = 1; k < 30 && term !== 0; k++) {
    sum += term
    term *= x * x / ((2 * k + 1) * (2 * k + 2))
  }
  return sum
}

t.test('kappa solves (2/tau^2)(cosh(kappa tau) - 1) = kappaTilde^2 to 1e-12 rel for kappaTilde*tau in [1e-9, 1e3]', async (t) => {
  fc.assert(fc.property(logUniform(-9, 3), logUniform(-2, 1), fc.integer({ min: 1, max: 1000 }), (kappaTildeTau, horizonDays, periods) => {
    const tau = horizonDays / periods
    const s = optimalSchedule({
      initialHoldingsBase: 1,
      horizonDays,
      periods,
      riskAversion: (kappaTildeTau / tau) ** 2,
      volQuote: 1,
      permanentImpact: 0,
      temporaryImpact: 1,
      halfSpreadQuote: 0
    })
    const lhs = 2 / (tau * tau) * coshMinusOne(s.kappa * tau)
    return Math.abs(lhs - s.kappaTilde ** 2) <= 1e-12 * s.kappaTilde ** 2
  }), { seed: SEED, numRuns: 500 })
  t.pass('500 seeded cases')
})

t.test('scaling with eps = 0: E(cX) = c^2 E(X), V(cX) = c^2 V(X) (rel 1e-12), same normalised trajectory (1e-12)', async (t) => {
  fc.assert(fc.property(paramsArb, fc.double({ min: -1e3, max: 1e3, noNaN: true }).filter((c) => Math.abs(c) > 1e-3), (p0, c) => {
    const p = { ...p0, halfSpreadQuote: 0 }
    const a = optimalSchedule(p)
    const b = optimalSchedule({ ...p, initialHoldingsBase: c * p.initialHoldingsBase })
    const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-12 * Math.abs(y)
    if (!close(b.expectedCostQuote, c * c * a.expectedCostQuote) || !close(b.varianceQuote2, c * c * a.varianceQuote2)) return false
    for (let j = 0; j <= p.periods; j++) {
      const ra = a.holdingsBase[j] / p.initialHoldingsBase
      const rb = b.holdingsBase[j] / (c * p.initialHoldingsBase)
      if (!(Math.abs(ra - rb) <= 1e-12)) return false
    }
    return true
  }), { seed: SEED, numRuns: 300 })
  t.pass('300 seeded cases')
})

t.test('frontier: for lambda1 < lambda2, E1 <= E2 and V1 >= V2 (rel 1e-12)', async (t) => {
  fc.assert(fc.property(paramsArb, logUniform(-12, 1), logUniform(0, 3), (p, lambda1, factor) => {
    const [a, b] = efficientFrontier(p, [lambda1, lambda1 * factor])
    return a.expectedCostQuote <= b.expectedCostQuote * (1 + 1e-12) && a.varianceQuote2 * (1 + 1e-12) >= b.varianceQuote2
  }), { seed: SEED, numRuns: 400 })
  t.pass('400 seeded cases')
})
