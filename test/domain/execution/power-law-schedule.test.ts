import t from 'tap'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { optimalSchedule, type AlmgrenChrissParams } from '../../../src/domain/execution/almgren-chriss.js'
import {
  powerLawSchedule,
  powerLawTrajectoryCost,
  type PowerLawScheduleParams
} from '../../../src/domain/execution/power-law-schedule.js'
import { BASE, maxAbsDiff, twapHoldings, vwapHoldings, withVolume } from './power-law-fixtures.js'

/** The `param` of the DomainRangeError that fn throws, or a description of what happened instead. */
function thrownParam (fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return err instanceof DomainRangeError ? err.param : `not a DomainRangeError: ${String(err)}`
  }
  return 'nothing thrown'
}

/**
 * The Almgren-Chriss (2000) parameters equivalent to a = 1 with constant v per period: the period cost
 * P*k*POV*|n| = (k*P/v)*n^2 is AC's (etaTilde/tau)*n^2, so etaTilde = k*P*tau/v; AC's etaTilde is
 * eta - gamma*tau/2 while this model charges gamma*X^2/2 flat (Almgren 2003), hence
 * eta = k*P*tau/v + gamma*tau/2; and epsilon = c0*P.
 */
function equivalentAlmgrenChriss (p: PowerLawScheduleParams, volume: number): AlmgrenChrissParams {
  const tau = p.horizonDays / p.periods
  const gamma = p.permanentImpact ?? 0
  return {
    initialHoldingsBase: p.initialHoldingsBase,
    horizonDays: p.horizonDays,
    periods: p.periods,
    riskAversion: p.riskAversion,
    volQuote: p.volQuote,
    permanentImpact: gamma,
    temporaryImpact: p.rateImpactCoef * p.priceQuote * tau / volume + gamma * tau / 2,
    halfSpreadQuote: (p.fixedImpactRate ?? 0) * p.priceQuote
  }
}

t.test('a = 1, no cap: reproduces the closed-form Almgren-Chriss schedule (holdings within 1e-9*|X|, E and V rel 1e-9)', async (t) => {
  // source: optimalSchedule() in almgren-chriss.ts (the paper's sinh trajectory with its discrete kappa)
  const linear: PowerLawScheduleParams = {
    ...withVolume({ ...BASE, periods: 40 }, 5e3),
    rateImpactExponent: 1,
    fixedImpactRate: 2e-4,
    permanentImpact: 1e-3
  }
  for (const sell of [true, false]) {
    for (const riskAversion of [0, 1e-8, 1e-6, 1e-5, 1e-3]) {
      const p = { ...linear, riskAversion, initialHoldingsBase: sell ? 200 : -200 }
      const s = powerLawSchedule(p)
      const ac = optimalSchedule(equivalentAlmgrenChriss(p, 5e3))
      const label = `${sell ? 'sell' : 'buy'} lambda=${riskAversion} kappa*T=${(ac.kappa * p.horizonDays).toFixed(2)}`
      t.ok(s.converged, `${label}: converged in ${s.iterations} iterations`)
      t.ok(maxAbsDiff(s.holdingsBase, ac.holdingsBase) <= 1e-9 * 200, `${label}: holdings`)
      t.ok(Math.abs(s.expectedCostQuote / ac.expectedCostQuote - 1) <= 1e-9, `${label}: E ${s.expectedCostQuote} vs ${ac.expectedCostQuote}`)
      t.ok(Math.abs(s.varianceQuote2 - ac.varianceQuote2) <= 1e-9 * ac.varianceQuote2, `${label}: V`)
      if (riskAversion === 1e-3) t.ok(ac.kappa * p.horizonDays > 50, `${label}: kappa*T is large`)
    }
  }
})

t.test('lambda = 0: the optimum trades at a constant POV (VWAP; TWAP for flat volume) for every a (rel 1e-10 of X)', async (t) => {
  // source: Jensen's inequality; sum n_j^(1+a)/v_j^a under sum n_j = X is minimised at n_j proportional to v_j
  const profile = Array.from({ length: 24 }, (_, j) => 1e4 * (1 + 0.7 * Math.sin(j / 4)))
  for (const a of [0.3, 0.6, 1, 2.5]) {
    const flat = powerLawSchedule({ ...BASE, riskAversion: 0, rateImpactExponent: a })
    t.ok(maxAbsDiff(flat.holdingsBase, twapHoldings(200, 50)) <= 1e-10 * 200, `a=${a}: TWAP`)
    const p = { ...BASE, periods: 24, periodVolumeBase: profile, riskAversion: 0, rateImpactExponent: a }
    t.ok(maxAbsDiff(powerLawSchedule(p).holdingsBase, vwapHoldings(200, profile)) <= 1e-10 * 200, `a=${a}: VWAP`)
  }
})

t.test('powerLawTrajectoryCost of TWAP matches its closed form (rel 1e-12)', async (t) => {
  // E = P*X*(k*(X/(N*v))^a + c0) + gamma*X^2/2; V = sigma^2*tau*X^2*(N-1)(2N-1)/(6N) (sum of (1 - j/N)^2)
  const p = { ...BASE, fixedImpactRate: 3e-4, permanentImpact: 0.5 }
  const n = p.periods
  const c = powerLawTrajectoryCost(p, twapHoldings(200, n))
  const e = 80_000 * 200 * (0.01 * (200 / (n * 1e4)) ** 0.6 + 3e-4) + 0.5 * 200 * 200 / 2
  const v = 2400 ** 2 * (5 / n) * 200 ** 2 * (n - 1) * (2 * n - 1) / (6 * n)
  t.ok(Math.abs(c.expectedCostQuote / e - 1) <= 1e-12, `E ${c.expectedCostQuote} vs ${e}`)
  t.ok(Math.abs(c.varianceQuote2 / v - 1) <= 1e-12, `V ${c.varianceQuote2} vs ${v}`)
  const s = powerLawSchedule(p)
  const own = powerLawTrajectoryCost(p, s.holdingsBase)
  t.equal(s.expectedCostQuote, own.expectedCostQuote, 'the schedule reports the cost of its own trajectory')
  t.equal(s.varianceQuote2, own.varianceQuote2)
})

t.test('near-zero rate cost with lambda > 0: trades at the cap from the start until done', async (t) => {
  // k = 1e-12: impact is almost free, risk dominates, so the optimum sells as fast as the cap allows.
  // X = 200, v = 1e3, cap = 0.06: 60 per period, so 3 full periods (180) and 20 in the 4th.
  const p: PowerLawScheduleParams = { ...withVolume(BASE, 1e3), rateImpactCoef: 1e-12, maxParticipation: 0.06 }
  const s = powerLawSchedule(p)
  t.ok(s.converged, `converged in ${s.iterations} iterations`)
  t.equal(s.cappedPeriods, 3, 'the cap binds in periods 1..3')
  for (let j = 0; j < 3; j++) t.ok(Math.abs(s.participation[j] / 0.06 - 1) <= 1e-12, `POV_${j + 1} = ${s.participation[j]} (cap 0.06, rel 1e-12)`)
  t.ok(Math.abs(s.tradesBase[3] - 20) <= 1e-6 * 200, `period 4 trades the remaining 20 (got ${s.tradesBase[3]}, abs 1e-6*X)`)
  t.ok(Math.abs(s.holdingsBase[4]) <= 1e-6 * 200, `holdings after period 4: ${s.holdingsBase[4]} (<= 1e-6*X)`)
  t.comment(`holdings ${s.holdingsBase.slice(0, 7).map((x) => x.toPrecision(4)).join(', ')}, ...`)
})

t.test('rate cost near zero against risk: every period trades at the cap (cap * v_j) until the order is done, sell and buy', async (t) => {
  // Expected values: the closed form n_j = cap * v_j for the periods 1..m whose caps fit in |X|
  // (m = largest with sum_{j<=m} cap*v_j < |X|), then the remainder |X| - sum in period m+1, all from
  // the inputs alone. Why: with k = 1e-12 the risk weight beta = lambda*sigma^2*tau*|X|/(P*k) is ~1e9,
  // so holding anything costs far more than any trading rate; the cap is the only brake.
  // Tolerances: capped trades rel 1e-12 (they are cap*v_j up to rounding). The remainder trade and
  // everything after it: the KKT chain (power-law-solver.ts) gives g_m - g_{m+1} = 2*beta*r_{m+1} with
  // g_m = (1+a)*POV_m^a <= (1+a)*cap^a and g_{m+1} >= 0, so the holdings left after period m+1 are at
  // most (1+a)*cap^a/(2*beta) of |X| (about 1e-10 here); a tail that small is "done".
  const cap = 0.2
  const n = 20
  const volume = Array.from({ length: n }, (_, j) => 100 * (1 + 0.5 * Math.sin(j / 2))) // cap*v_j from 10.2 to 30
  const x = 200 // 8 full periods (196.165...), then 3.83 in period 9
  const capTrades: number[] = []
  let filled = 0
  while (filled + cap * volume[capTrades.length] < x) {
    capTrades.push(cap * volume[capTrades.length])
    filled += capTrades[capTrades.length - 1]
  }
  const m = capTrades.length
  t.equal(m, 8, 'the closed form has 8 full periods')
  for (const a of [0.5, 1, 2]) {
    for (const side of [1, -1]) {
      const p: PowerLawScheduleParams = {
        ...BASE,
        initialHoldingsBase: side * x,
        periods: n,
        periodVolumeBase: volume,
        rateImpactCoef: 1e-12,
        rateImpactExponent: a,
        maxParticipation: cap
      }
      const beta = p.riskAversion * p.volQuote ** 2 * (p.horizonDays / n) * x / (p.priceQuote * p.rateImpactCoef)
      const tail = (1 + a) * cap ** a / (2 * beta) * x + 1e-12 * x
      const label = `a=${a} ${side > 0 ? 'sell' : 'buy'}`
      const s = powerLawSchedule(p)
      t.ok(s.converged, `${label}: converged in ${s.iterations} iterations (beta = ${beta.toExponential(2)})`)
      t.equal(s.cappedPeriods, m, `${label}: periods 1..${m} at the cap`)
      for (let j = 0; j < m; j++) {
        t.ok(Math.abs(s.tradesBase[j] / (side * capTrades[j]) - 1) <= 1e-12, `${label}: n_${j + 1} = ${s.tradesBase[j]} is cap*v_${j + 1} = ${side * capTrades[j]} (rel 1e-12)`)
      }
      t.ok(Math.abs(s.tradesBase[m] - side * (x - filled)) <= tail, `${label}: n_${m + 1} = ${s.tradesBase[m]} is the remainder ${side * (x - filled)} (abs ${tail.toExponential(1)})`)
      t.ok(Math.sign(s.tradesBase[m]) === side && s.participation[m] < cap, `${label}: period ${m + 1} below the cap (POV ${s.participation[m]})`)
      t.ok(s.holdingsBase.slice(m + 1).every((h) => Math.abs(h) <= tail), `${label}: holdings after period ${m + 1} within ${tail.toExponential(1)} of 0`)
    }
  }
})

t.test('a binding cap: POV <= cap everywhere, binding on a prefix, POV non-increasing (rel 1e-12)', async (t) => {
  // source: the KKT chain g_j - g_{j+1} = 2*lambda*sigma^2*tau*x_j >= 0 with g = P*k*(1+a)*POV^a (+ multiplier)
  const profile = Array.from({ length: 50 }, (_, j) => 100 * (1 + 0.8 * Math.cos(j / 3)))
  for (const a of [0.5, 1, 2]) {
    const p = { ...BASE, periodVolumeBase: profile, rateImpactExponent: a, riskAversion: 1e-5, maxParticipation: 0.2 }
    const s = powerLawSchedule(p)
    t.ok(s.converged && s.cappedPeriods > 0, `a=${a}: converged (${s.iterations} iterations), ${s.cappedPeriods} capped periods`)
    for (let j = 0; j < 50; j++) {
      if (s.participation[j] > 0.2 * (1 + 1e-12)) t.fail(`POV_${j + 1} = ${s.participation[j]} above the cap`)
      if (j < s.cappedPeriods && Math.abs(s.participation[j] / 0.2 - 1) > 1e-12) t.fail(`period ${j + 1} should be at the cap`)
      if (j > 0 && s.participation[j] > s.participation[j - 1] * (1 + 1e-9) + 1e-15) t.fail(`POV rises at period ${j + 1}`)
    }
  }
})

t.test('infeasible cap: DomainRangeError naming maxParticipation', async (t) => {
  const p = { ...withVolume(BASE, 100), maxParticipation: 0.03 } // 0.03 * 50 * 100 = 150 < 200
  t.equal(thrownParam(() => powerLawSchedule(p)), 'maxParticipation')
  const exact = powerLawSchedule({ ...p, maxParticipation: 0.04 }) // 0.04 * 5000 = 200: the only feasible point
  t.ok(exact.converged, 'X = cap * sum(v): converged')
  t.ok(exact.participation.every((pov) => Math.abs(pov / 0.04 - 1) <= 1e-12), 'every period at the cap (rel 1e-12)')
  t.ok(maxAbsDiff(exact.holdingsBase, twapHoldings(200, 50)) <= 1e-12 * 200, 'which is TWAP here')
})

t.test('invalid inputs throw DomainRangeError naming the parameter', async (t) => {
  const cases: Array<[string, Partial<PowerLawScheduleParams>]> = [
    ['initialHoldingsBase', { initialHoldingsBase: 0 }],
    ['periods', { periods: 0 }],
    ['periods', { periods: 10_001 }],
    ['periodVolumeBase', { periodVolumeBase: [1, 2] }],
    ['periodVolumeBase', { periodVolumeBase: new Array(50).fill(1e4).with(7, 0) }],
    ['rateImpactCoef', { rateImpactCoef: 0 }],
    ['rateImpactExponent', { rateImpactExponent: -1 }],
    ['fixedImpactRate', { fixedImpactRate: -1e-4 }],
    ['permanentImpact', { permanentImpact: Number.NaN }],
    ['maxParticipation', { maxParticipation: 0 }],
    ['riskAversion', { riskAversion: -1 }],
    ['priceQuote', { priceQuote: 0 }]
  ]
  for (const [param, patch] of cases) {
    t.equal(thrownParam(() => powerLawSchedule({ ...BASE, ...patch })), param, `${param}: ${JSON.stringify(patch).slice(0, 60)}`)
  }
  t.equal(thrownParam(() => powerLawTrajectoryCost(BASE, twapHoldings(100, 50))), 'holdingsBase', 'holdings must start at X')
})

t.test('a < 1 with a tiny tail trade: Newton does not stop while a trade still creeps away from zero', async (t) => {
  // found by fast-check (seed 2): the last trade sat at 7e-23 of X where the optimum is ~1e-8; phi'' ~ d^(a-1)
  // made every Newton step < 1e-13 of X, so a step-only test declared convergence with a KKT residual of 6e-8
  const p: PowerLawScheduleParams = {
    initialHoldingsBase: -1,
    horizonDays: 1,
    periods: 6,
    riskAversion: 16657122.626214584,
    volQuote: 0.005,
    priceQuote: 1,
    periodVolumeBase: [132.56911378642715, 132.56911378642715, 132.56911378642715, 132.56911378642715, 196.34520423941413, 273.3783234508464],
    rateImpactCoef: 0.0694046823742688,
    rateImpactExponent: 0.42612857980613433,
    fixedImpactRate: 0.001
  }
  const s = powerLawSchedule(p, { warmStart: false }) // the bug was in the Newton path from VWAP
  t.ok(s.converged && s.kktResidual <= 1e-10, `converged in ${s.iterations} iterations, KKT residual ${s.kktResidual} (<= 1e-10)`)
  t.ok(Math.abs(s.holdingsBase[5]) > 1e-9, `x_5 = ${s.holdingsBase[5]} is not pinned at zero`)
  // found by fast-check (seed 4): rounding made trade 8 exactly 0 (x_7 = x_8 = 7e-7 of X); its curvature was then
  // infinite, so Newton moved the two holdings rigidly forever (KKT residual 1.4e-3)
  const pinned: PowerLawScheduleParams = {
    ...p,
    periods: 9,
    riskAversion: 35757445.419603,
    periodVolumeBase: [0.05688894396675019, 0.05688894396675019, 0.05688894396675019, 0.05740830112265576,
      0.05688894396675019, 0.05688894396675019, 0.43324675886778935, 0.05688894396675019, 0.16801127620905357],
    rateImpactCoef: 0.1,
    rateImpactExponent: 0.4
  }
  const u = powerLawSchedule(pinned, { warmStart: false })
  t.ok(u.converged && u.kktResidual <= 1e-10, `converged in ${u.iterations} iterations, KKT residual ${u.kktResidual} (<= 1e-10)`)
  t.ok(u.tradesBase.every((n) => n < 0), 'every trade of the buy is strictly positive in size')
})

t.test('N = 10,000 converges (iterations reported)', async (t) => {
  const n = 10_000
  const profile = Array.from({ length: n }, (_, j) => 0.1 * (1 + 0.8 * Math.sin(j / n * 6 * Math.PI))) // 1000 base in all
  const cases: Array<[string, Partial<PowerLawScheduleParams>]> = [
    ['a=1', { rateImpactExponent: 1 }],
    ['a=0.6', { rateImpactExponent: 0.6 }],
    ['a=2', { rateImpactExponent: 2 }],
    ['a=1 cap 0.3', { rateImpactExponent: 1, maxParticipation: 0.3 }],
    ['a=0.6 cap 0.3', { rateImpactExponent: 0.6, maxParticipation: 0.3 }],
    ['a=2 cap 0.6', { rateImpactExponent: 2, maxParticipation: 0.6 }]
  ]
  for (const [label, patch] of cases) {
    const s = powerLawSchedule({ ...BASE, periods: n, periodVolumeBase: profile, riskAversion: 1e-5, ...patch })
    t.ok(s.converged, `${label}: converged=${s.converged} in ${s.iterations} iterations, ${s.cappedPeriods} capped, KKT residual ${s.kktResidual.toExponential(1)}`)
    if (patch.maxParticipation !== undefined) t.ok(s.cappedPeriods > 0, `${label}: the cap binds`)
    t.equal(s.holdingsBase[n], 0)
  }
})
