import {
  powerLawTrajectoryCost,
  type PowerLawScheduleParams
} from '../../../src/domain/execution/power-law-schedule.js'

// Shared by power-law-schedule.test.ts and power-law-schedule.property.test.ts.

/** A BTC-like order: 200 base over 5 days in 50 periods, 1e4 base traded per period. */
export const BASE: PowerLawScheduleParams = {
  initialHoldingsBase: 200,
  horizonDays: 5,
  periods: 50,
  riskAversion: 1e-6,
  volQuote: 2400,
  priceQuote: 80_000,
  periodVolumeBase: new Array(50).fill(1e4),
  rateImpactCoef: 0.01,
  rateImpactExponent: 0.6
}

export const withVolume = (p: PowerLawScheduleParams, volume: number): PowerLawScheduleParams =>
  ({ ...p, periodVolumeBase: new Array(p.periods).fill(volume) })

export const objective = (p: PowerLawScheduleParams, holdings: number[]): number => {
  const c = powerLawTrajectoryCost(p, holdings)
  return c.expectedCostQuote + p.riskAversion * c.varianceQuote2
}

export const twapHoldings = (x: number, n: number): number[] =>
  Array.from({ length: n + 1 }, (_, j) => (j === n ? 0 : x * (1 - j / n)))

export const vwapHoldings = (x: number, volume: readonly number[]): number[] => {
  const total = volume.reduce((s, v) => s + v, 0)
  const out = [x]
  let traded = 0
  for (let j = 0; j < volume.length; j++) {
    traded += volume[j]
    out.push(j === volume.length - 1 ? 0 : x * (1 - traded / total))
  }
  return out
}

export const maxAbsDiff = (a: number[], b: number[]): number => Math.max(...a.map((v, j) => Math.abs(v - b[j])))
