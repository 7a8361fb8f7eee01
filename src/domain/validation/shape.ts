/**
 * Shape checks every impact model must pass before it may be published (gate.ts rule 0):
 * - symmetric: a buy and a sell of the same size cost the same (the README's promise; the
 *   learned models see no side feature, so this holds by construction, and the check keeps it so);
 * - monotone: the cost is non-decreasing in size over the model's validity range.
 * Both are checked on a grid (ShapeGrid) built from the training samples: participation
 * |Q|/ADV log-spaced from the training minimum to the training maximum (SHAPE_GRID_POINTS points),
 * at the minimum, 10th, 50th and 90th percentiles and maximum of the training volDaily and relSpread
 * (the range ends included: issue 14 found an MLP dip at the training maximum volDaily).
 * Costs are read off a Predictor of dP/P: buy cost = predictor(+Q), sell cost = -predictor(-Q).
 */
import type { Predictor, TimedSample } from './walk-forward.js'

export interface ShapeGrid {
  /** [min, max] of the training participation |Q|/ADV, both > 0 */
  participationRange: readonly [number, number]
  /** log-spaced participation points from min to max (inclusive), >= 1 */
  points: number
  /** training volDaily values to check at (fraction per day) */
  volDaily: readonly number[]
  /** training relSpread values to check at (fraction) */
  relSpread: readonly number[]
}

export const SHAPE_GRID_POINTS = 50
export const SHAPE_QUANTILES: readonly number[] = Object.freeze([0, 0.1, 0.5, 0.9, 1])
/**
 * Absolute tolerance on costs (fraction of the price; 1e-12 = 1e-8 bps): a buy/sell difference
 * or a fall in cost no larger than this is floating-point noise, not a violation.
 */
export const SHAPE_TOLERANCE = 1e-12

function quantiles (values: number[], qs: readonly number[]): number[] {
  values.sort((a, b) => a - b)
  const picked = qs.map((q) => values[Math.min(values.length - 1, Math.max(0, Math.round(q * (values.length - 1))))])
  return [...new Set(picked)]
}

/**
 * The grid of a training set (samples with Q != 0, finite positive ADV and volDaily, relSpread >= 0;
 * others are ignored). Undefined when no such sample exists.
 */
export function shapeGridOf (train: readonly TimedSample[], points: number = SHAPE_GRID_POINTS): ShapeGrid | undefined {
  let lo = Infinity
  let hi = -Infinity
  const vols: number[] = []
  const spreads: number[] = []
  for (const s of train) {
    const p = Math.abs(s.signedQtyBase) / s.advBase
    if (!(p > 0 && p < Infinity && s.volDaily > 0 && s.volDaily < Infinity && s.relSpread >= 0 && s.relSpread < Infinity)) continue
    if (p < lo) lo = p
    if (p > hi) hi = p
    vols.push(s.volDaily)
    spreads.push(s.relSpread)
  }
  if (vols.length === 0) return undefined
  return { participationRange: [lo, hi], points, volDaily: quantiles(vols, SHAPE_QUANTILES), relSpread: quantiles(spreads, SHAPE_QUANTILES) }
}

/** The grid's participation points, log-spaced from min to max. */
export function shapeGridParticipations (grid: ShapeGrid): number[] {
  const [lo, hi] = grid.participationRange
  const n = Math.max(1, Math.floor(grid.points))
  if (n === 1 || lo === hi) return [lo]
  const ratio = Math.log(hi / lo)
  return Array.from({ length: n }, (_, i) => i === n - 1 ? hi : lo * Math.exp(ratio * i / (n - 1)))
}

function bps (x: number): string {
  return `${Number((x * 1e4).toPrecision(6))} bps`
}

function sampleAt (participation: number, side: 1 | -1, volDaily: number, relSpread: number): TimedSample {
  return { signedQtyBase: side * participation, advBase: 1, volDaily, relSpread, signedReturn: 0, startMs: 0, endMs: 0 }
}

/**
 * Why a predictor is not symmetric or not monotone non-decreasing in size on the grid: at most
 * one message per kind of violation (the first found), empty when it passes. A predictor that
 * throws or gives a non-finite value is reported too.
 * Cost O(points x volDaily x relSpread) predictions.
 */
export function shapeProblems (predictor: Predictor, grid: ShapeGrid): string[] {
  const participations = shapeGridParticipations(grid)
  let asymmetric: string | undefined
  let falling: string | undefined
  try {
    for (const volDaily of grid.volDaily) {
      for (const relSpread of grid.relSpread) {
        const at = `volDaily ${volDaily.toPrecision(4)}, relSpread ${relSpread.toPrecision(4)}`
        let previous = -Infinity
        let previousP = NaN
        for (const p of participations) {
          const buy = predictor(sampleAt(p, 1, volDaily, relSpread))
          const sell = -predictor(sampleAt(p, -1, volDaily, relSpread))
          if (!Number.isFinite(buy) || !Number.isFinite(sell)) return [`gives a non-finite cost (buy ${buy}, sell ${sell}) at participation ${p.toPrecision(4)}, ${at}`]
          if (asymmetric === undefined && Math.abs(buy - sell) > SHAPE_TOLERANCE) {
            asymmetric = `is not symmetric: buy ${bps(buy)} vs sell ${bps(sell)} at participation ${p.toPrecision(4)}, ${at}`
          }
          if (falling === undefined && buy < previous - SHAPE_TOLERANCE) {
            falling = `is not monotone non-decreasing in size: cost falls from ${bps(previous)} at participation ${previousP.toPrecision(4)} to ${bps(buy)} at ${p.toPrecision(4)}, ${at}`
          }
          previous = buy
          previousP = p
        }
      }
    }
  } catch (err) {
    return [`threw on the shape grid: ${err instanceof Error ? err.message : String(err)}`]
  }
  const range = `on a ${participations.length}-point log grid of participation [${grid.participationRange[0].toPrecision(4)}, ${grid.participationRange[1].toPrecision(4)}] (the training range)`
  return [asymmetric, falling].filter((m): m is string => m !== undefined).map((m) => `${m} ${range}`)
}
