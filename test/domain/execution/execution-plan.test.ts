import t from 'tap'
import { DEFAULT_MAX_PARTICIPATION, defaultPeriods, planExecution, type ExecutionMarket } from '../../../src/domain/execution/execution-plan.js'
import { FLAT_HOURLY_SHARES, MS_PER_HOUR } from '../../../src/domain/execution/volume-profile.js'
import { instantaneousImpact, marketImpact, type IStarParams } from '../../../src/domain/impact/istar.js'

// A BTCUSDT-like market (embedded defaults' order of magnitude) and a rate-dependent model.
const MARKET: ExecutionMarket = { priceQuote: 80_000, volDaily: 0.03, advBase: 48_000, hourlyVolumeShares: FLAT_HOURLY_SHARES, startMs: Date.UTC(2026, 0, 5, 13) }
const MODEL: IStarParams = { a1: 0.8, a2: 0.55, a4: 0.6, b1: 0.85 }
const RAMP = Array.from({ length: 24 }, (_, h) => (h + 1) / 300)

function relClose (actual: number, expected: number, tol: number): boolean {
  return Math.abs(actual - expected) <= tol * Math.abs(expected)
}

t.test('immediate: I* and no timing risk (issue 13: the whole order at once)', async (t) => {
  const plan = planExecution(MODEL, 12, MARKET, { strategy: 'immediate' })
  t.equal(plan.impactFraction, instantaneousImpact(MODEL, 12 / 48_000, 0.03))
  t.equal(plan.timingRiskFraction, 0)
  t.equal(plan.averageParticipation, 1)
})

t.test('twap on a flat profile: MI(Q, POV) with POV = Q / (ADV T), risk sigma sqrt(T (N-1)(2N-1) / 6N^2) (closed forms, 1e-12)', async (t) => {
  for (const [qty, horizonDays, periods] of [[12, 1 / 24, 60], [200, 0.5, 720], [3, 1 / 1440, 1]] as const) {
    const plan = planExecution(MODEL, qty, MARKET, { strategy: 'twap', horizonDays, periods })
    const istar = instantaneousImpact(MODEL, qty / MARKET.advBase, MARKET.volDaily)
    const pov = Math.min(1, qty / (MARKET.advBase * horizonDays))
    t.ok(relClose(plan.impactFraction, marketImpact(MODEL, istar, pov), 1e-12), `impact ${qty}/${horizonDays}`)
    const n = periods
    const risk = MARKET.volDaily * Math.sqrt(horizonDays * (n - 1) * (2 * n - 1) / (6 * n * n))
    if (n === 1) t.equal(plan.timingRiskFraction, 0)
    else t.ok(relClose(plan.timingRiskFraction, risk, 1e-12), `risk ${plan.timingRiskFraction} vs ${risk}`)
    t.ok(relClose(plan.averageParticipation, qty / (MARKET.advBase * horizonDays), 1e-12))
    t.equal(plan.holdingsBase[0], qty)
    t.equal(plan.holdingsBase[periods], 0)
  }
})

t.test('vwap on a flat profile is twap; on a ramp each period trades in proportion to its volume (1e-12)', async (t) => {
  const twap = planExecution(MODEL, 12, MARKET, { strategy: 'twap', horizonDays: 1 / 24, periods: 12 })
  const vwap = planExecution(MODEL, 12, MARKET, { strategy: 'vwap', horizonDays: 1 / 24, periods: 12 })
  t.ok(relClose(vwap.impactFraction, twap.impactFraction, 1e-12))
  const ramp = planExecution(MODEL, 12, { ...MARKET, hourlyVolumeShares: RAMP, startMs: MARKET.startMs - MS_PER_HOUR / 2 }, { strategy: 'vwap', horizonDays: 1 / 24, periods: 2 })
  // [12:30, 13:00) is half of hour 12 (weight 13), [13:00, 13:30) half of hour 13 (weight 14)
  t.ok(relClose(ramp.tradesBase[0], 12 * 13 / 27, 1e-12))
  t.ok(relClose(ramp.participation[0], ramp.participation[1], 1e-12), 'vwap: one POV in every period')
})

t.test('pov: horizon Q / (rate * ADV) on a flat profile, every period at the rate, impact MI(rate) (1e-9)', async (t) => {
  const plan = planExecution(MODEL, 120, MARKET, { strategy: 'pov', participationRate: 0.1, periods: 30 })
  t.ok(relClose(plan.horizonDays, 120 / (0.1 * 48_000), 1e-9))
  for (const p of plan.participation) t.ok(relClose(p, 0.1, 1e-9))
  const istar = instantaneousImpact(MODEL, 120 / 48_000, 0.03)
  t.ok(relClose(plan.impactFraction, marketImpact(MODEL, istar, 0.1), 1e-9))
})

t.test('short horizons price at I*: POV is capped at 1 (immediate is the limit)', async (t) => {
  const plan = planExecution(MODEL, 500, MARKET, { strategy: 'twap', horizonDays: 1e-4, periods: 1 })
  t.equal(plan.impactFraction, planExecution(MODEL, 500, MARKET, { strategy: 'immediate' }).impactFraction)
})

t.test('property: cost never rises and risk never falls with the horizon, default periods (twap, vwap, optimal)', async (t) => {
  const horizons = [1 / 1440, 5 / 1440, 1 / 96, 1 / 24, 0.25, 1, 3]
  for (const strategy of ['twap', 'vwap'] as const) {
    for (const model of [MODEL, { a1: 1.2, a2: 0.5, a4: 1.4, b1: 0.3 }, { a1: 1, a2: 0.5, a4: 0, b1: 0 }]) {
      let last = planExecution(model, 40, { ...MARKET, hourlyVolumeShares: RAMP }, { strategy: 'immediate' })
      for (const horizonDays of horizons) {
        const plan = planExecution(model, 40, { ...MARKET, hourlyVolumeShares: RAMP }, { strategy, horizonDays, periods: defaultPeriods(horizonDays) })
        t.ok(plan.impactFraction <= last.impactFraction * (1 + 1e-12), `${strategy} ${JSON.stringify(model)} T=${horizonDays}: impact ${plan.impactFraction} <= ${last.impactFraction}`)
        t.ok(plan.timingRiskFraction >= last.timingRiskFraction, `${strategy} T=${horizonDays}: risk rises`)
        last = plan
      }
    }
  }
})

t.test('optimal: E + lambda V is at most twap\'s and vwap\'s when they respect the cap (it is the minimiser)', async (t) => {
  const notional = 40 * MARKET.priceQuote
  for (const riskAversion of [0, 1e-9, 1e-7, 1e-5]) {
    for (const model of [MODEL, { a1: 1.2, a2: 0.5, a4: 1, b1: 1 }, { a1: 0.5, a2: 0.6, a4: 0.3, b1: 0.5 }]) {
      const horizonDays = 1 / 24
      const periods = 60
      const objective = (impact: number, risk: number): number => impact * notional + riskAversion * (risk * notional) ** 2
      const best = planExecution(model, 40, MARKET, { strategy: 'optimal', horizonDays, periods, riskAversion, maxParticipation: DEFAULT_MAX_PARTICIPATION })
      for (const strategy of ['twap', 'vwap'] as const) {
        const other = planExecution(model, 40, MARKET, { strategy, horizonDays, periods })
        t.ok(Math.max(...other.participation) <= DEFAULT_MAX_PARTICIPATION)
        t.ok(objective(best.impactFraction, best.timingRiskFraction) <= objective(other.impactFraction, other.timingRiskFraction) * (1 + 1e-9),
          `lambda ${riskAversion} ${JSON.stringify(model)} vs ${strategy}`)
      }
    }
  }
})

t.test('optimal without a rate term (b1 = 0) trades at the cap from the start (the fastest the cap allows)', async (t) => {
  const plan = planExecution({ a1: 1, a2: 0.5, a4: 0.5, b1: 0 }, 100, MARKET, { strategy: 'optimal', horizonDays: 1 / 24, periods: 12, riskAversion: 1e-6, maxParticipation: 0.25 })
  const capTrade = 0.25 * 48_000 / 288
  t.ok(relClose(plan.tradesBase[0], capTrade, 1e-12))
  t.ok(relClose(plan.tradesBase[1], capTrade, 1e-12))
  t.ok(relClose(plan.tradesBase[2], 100 - 2 * capTrade, 1e-9), 'the rest in the third period')
  t.equal(plan.tradesBase[3], 0)
  t.equal(plan.optimiser?.rateTermFree, true)
})

t.test('bad inputs name the parameter and the rule', async (t) => {
  t.throws(() => planExecution(MODEL, 0, MARKET, { strategy: 'immediate' }), { name: 'DomainRangeError', param: 'qtyBase' })
  t.throws(() => planExecution(MODEL, 1, MARKET, { strategy: 'twap', horizonDays: 1, periods: 0 }), { name: 'DomainRangeError', param: 'periods' })
  t.throws(() => planExecution(MODEL, 1, MARKET, { strategy: 'pov', participationRate: 1.5, periods: 3 }), { name: 'DomainRangeError', param: 'participationRate' })
  t.throws(() => planExecution(MODEL, 40_000, MARKET, { strategy: 'optimal', horizonDays: 1 / 24, periods: 10, riskAversion: 0, maxParticipation: 0.25 }), { name: 'DomainRangeError', param: 'maxParticipation' })
  t.throws(() => planExecution({ ...MODEL, b1: 2 }, 1, MARKET, { strategy: 'immediate' }), { name: 'DomainRangeError', param: 'b1' })
})
