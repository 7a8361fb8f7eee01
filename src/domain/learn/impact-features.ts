/**
 * The feature vector the learned impact predictors (linear, MLP) see, defined once so that
 * training (jobs, scripts) and prediction (routes) cannot drift apart.
 *
 * TARGET of every impact predictor: the impact cost as a fraction of the arrival price in
 * the trade's direction, sideSign * (P_after - P_arrival) / P_arrival, positive = cost
 * (a buy that pushed the price up). A predicted signed return is therefore
 * sideSign * prediction. Cost in bps is fractionToBps(prediction).
 *
 * SYMMETRY: no feature depends on the side, so every learned model gives a buy and a sell of
 * the same size the same cost by construction (issue 14: a side feature let the models learn
 * the training period's drift, e.g. buy 2.40 bps / sell 0 bps). The gate also checks it (shape.ts).
 */
import { DomainRangeError } from '../errors.js'
import { requireNumber } from '../guards.js'

export interface ImpactFeatureInput {
  /** |Q| / ADV: order size over average daily volume, fraction (0.01 = 1% of a day) */
  participation: number
  /** (ask - bid) / mid at arrival, fraction (not bps) */
  relSpread: number
  /** daily return volatility, fraction per day (0.03 = 3%) */
  volDaily: number
  /** +1 buy, -1 sell (units.ts `sideSign`): validated, but no feature depends on it (models are symmetric) */
  sideSign: 1 | -1
}

/**
 * Column order of the feature vector:
 * - `participation`: |Q| / ADV, fraction, >= 0.
 * - `sqrtParticipationVol`: volDaily * sqrt(participation), fraction per day; the square-root
 *   law's regressor (impact ~ Y * sigma * sqrt(Q / V), Toth et al. 2011, "Anomalous price
 *   impact and the critical nature of liquidity in financial markets"), so a linear model
 *   can represent that law exactly.
 * - `relSpread`: (ask - bid) / mid, fraction, >= 0.
 * - `volDaily`: daily volatility, fraction per day, >= 0.
 * No side feature: the target is already the cost in the trade's direction.
 */
export const IMPACT_FEATURE_NAMES = ['participation', 'sqrtParticipationVol', 'relSpread', 'volDaily'] as const
export type ImpactFeatureName = typeof IMPACT_FEATURE_NAMES[number]

/**
 * Indices of the size features (participation, sqrtParticipationVol): both are 0 at zero size and
 * non-decreasing in |Q| at fixed volDaily, so a model non-decreasing in them is monotone in size.
 * The learned models are constrained on these (fitNonNegativeLinear's columns, the MLP's monotoneInputs).
 */
export const SIZE_FEATURE_INDICES: readonly number[] = Object.freeze([0, 1])

/** The rule reported for a negative or non-finite participation, relSpread or volDaily, and how the message words it. */
const NON_NEGATIVE_RULE = 'finite, >= 0'
const NON_NEGATIVE_SAID = 'a finite number >= 0'

/**
 * Builds the feature vector, in IMPACT_FEATURE_NAMES order, for one order.
 * Writes into `out` when given (no allocation; suits the hot path) and returns it.
 * @throws DomainRangeError naming `participation`, `relSpread` or `volDaily` if negative or
 *   not finite, or `sideSign` if not +1 or -1.
 * @example impactFeatures({ participation: 0.04, relSpread: 0.0002, volDaily: 0.03, sideSign: 1 })
 * // [0.04, 0.006, 0.0002, 0.03]
 */
export function impactFeatures (input: ImpactFeatureInput, out: number[] = new Array<number>(IMPACT_FEATURE_NAMES.length)): number[] {
  const { participation, relSpread, volDaily } = input
  requireNumber('impactFeatures', 'participation', participation, participation >= 0, NON_NEGATIVE_RULE, NON_NEGATIVE_SAID)
  requireNumber('impactFeatures', 'relSpread', relSpread, relSpread >= 0, NON_NEGATIVE_RULE, NON_NEGATIVE_SAID)
  requireNumber('impactFeatures', 'volDaily', volDaily, volDaily >= 0, NON_NEGATIVE_RULE, NON_NEGATIVE_SAID)
  if (input.sideSign !== 1 && input.sideSign !== -1) {
    throw new DomainRangeError(`impactFeatures: sideSign must be 1 or -1 (got ${String(input.sideSign)})`, 'sideSign', 'enum [1, -1]')
  }
  out[0] = input.participation
  out[1] = input.volDaily * Math.sqrt(input.participation)
  out[2] = input.relSpread
  out[3] = input.volDaily
  out.length = IMPACT_FEATURE_NAMES.length
  return out
}

/**
 * Checks that a stored learned model was trained on IMPACT_FEATURE_NAMES, in that order. Models
 * trained on the old list (ending in `sideSign`) priced buys and sells differently and are refused.
 * @param path the field holding the model, e.g. `record.model`; the message names `${path}.featureNames`
 * @throws RangeError naming `${path}.featureNames`.
 */
export function requireImpactFeatureNames (path: string, featureNames: readonly string[]): void {
  if (featureNames.length === IMPACT_FEATURE_NAMES.length && featureNames.every((name, j) => name === IMPACT_FEATURE_NAMES[j])) return
  const old = featureNames.includes('sideSign') ? ' (a model trained with the removed sideSign feature prices buys and sells differently: retrain it)' : ''
  throw new RangeError(`${path}.featureNames must be [${IMPACT_FEATURE_NAMES.join(', ')}] (got [${featureNames.join(', ')}])${old}`)
}
