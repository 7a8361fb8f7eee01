import { createHash } from 'node:crypto'
import type { ImpactFeatureInput } from '../domain/learn/impact-features.js'
import { impactFeatures } from '../domain/learn/impact-features.js'
import { predictLinear, type LinearModel } from '../domain/learn/linear-regression.js'
import { predictMlp, type MlpModel } from '../domain/learn/mlp.js'
import { sqrtImpactCost, type SqrtImpactParams } from '../domain/impact/sqrt-impact.js'

export const MODEL_NAMES = ['sqrt', 'linear', 'mlp'] as const
export type ModelName = typeof MODEL_NAMES[number]
export type ModelSource = 'embedded' | 'registry'

export interface Range { min: number, max: number }

/** Where a model was fitted: inputs outside these ranges get a warning in the estimate. */
export interface ValidityRanges {
  participation: Range
  volDaily: Range
}

/**
 * One fitted impact model, immutable once built. `predictCost` returns the expected impact
 * cost as a fraction of the arrival price (positive = cost) for an order in the trade's direction.
 */
export interface ImpactModel {
  readonly name: ModelName
  readonly version: string
  readonly source: ModelSource
  readonly validity: ValidityRanges
  /** What GET /v1/models shows: parameters (not raw weights) of the model. */
  readonly parameters: Readonly<Record<string, unknown>>
  /** Calibration window, data set and out-of-sample metrics. */
  readonly calibration: Readonly<Record<string, unknown>>
  predictCost: (input: ImpactFeatureInput) => number
}

/** The three models a symbol is served with; one object, swapped as a whole. */
export type ModelSet = Readonly<Record<ModelName, ImpactModel>>

/** A short content hash, so identical parameters always get the same version string. */
export function contentVersion (prefix: string, content: unknown): string {
  return `${prefix}-${createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 12)}`
}

interface ModelMeta {
  version: string
  source: ModelSource
  validity: ValidityRanges
  calibration: Record<string, unknown>
}

export function sqrtImpactModel (params: SqrtImpactParams, meta: ModelMeta): ImpactModel {
  return Object.freeze({
    name: 'sqrt' as const,
    ...meta,
    parameters: Object.freeze({ impactCoef: params.impactCoef, impactExponent: params.impactExponent, smearingFactor: params.smearingFactor ?? 1 }),
    predictCost: (input: ImpactFeatureInput) => sqrtImpactCost(params, input.participation, input.volDaily)
  })
}

export function linearImpactModel (model: LinearModel, meta: ModelMeta): ImpactModel {
  const row: number[] = []
  return Object.freeze({
    name: 'linear' as const,
    ...meta,
    parameters: Object.freeze({ featureNames: model.featureNames, coefficients: model.coefficients, intercept: model.intercept, standardiser: model.standardiser }),
    predictCost: (input: ImpactFeatureInput) => predictLinear(model, impactFeatures(input, row))
  })
}

export function mlpImpactModel (model: MlpModel, meta: ModelMeta): ImpactModel {
  const row: number[] = []
  return Object.freeze({
    name: 'mlp' as const,
    ...meta,
    parameters: Object.freeze({ featureNames: model.featureNames, layerSizes: model.layerSizes, training: model.training }),
    predictCost: (input: ImpactFeatureInput) => predictMlp(model, impactFeatures(input, row))
  })
}
