import { createHash } from 'node:crypto'
import type { ImpactFeatureInput } from '../domain/learn/impact-features.js'
import { impactFeatures } from '../domain/learn/impact-features.js'
import { linearFromJson, predictLinear, type LinearJson } from '../domain/learn/linear-regression.js'
import { mlpFromJson, predictMlp, type MlpJson } from '../domain/learn/mlp.js'
import { sqrtImpactCost, validateSqrtImpactParams } from '../domain/impact/sqrt-impact.js'
import { finiteAt, objectAt, rangeAt } from './json-fields.js'

export const MODEL_NAMES = ['sqrt', 'linear', 'mlp'] as const
export type ModelName = typeof MODEL_NAMES[number]
/** embedded: shipped defaults; recalibrated: published by this process's recalibration job */
export type ModelSource = 'embedded' | 'recalibrated' | 'registry'

export interface Range { min: number, max: number }

/** Where a model was fitted: inputs outside these ranges get a warning in the estimate. */
export interface ValidityRanges {
  participation: Range
  volDaily: Range
}

export interface SqrtModelParams { impactCoef: number, impactExponent: number, smearingFactor: number }

/** The fitted part of a model, as JSON: what a registry stores and a worker thread sends back. */
export type ModelFit =
  | { name: 'sqrt', params: SqrtModelParams }
  | { name: 'linear', model: LinearJson }
  | { name: 'mlp', model: MlpJson }

/** A complete, immutable, serialisable model record. */
export type ModelRecord = ModelFit & {
  version: string
  source: ModelSource
  validity: ValidityRanges
  /** data set, window, sample counts, out-of-sample metrics, validation verdict */
  calibration: Record<string, unknown>
  createdAtMs: number
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
  readonly calibration: Readonly<Record<string, unknown>>
  readonly record: ModelRecord
  /** name, version and source, as every estimate reports them (one shared frozen object) */
  readonly info: Readonly<{ name: ModelName, version: string, source: ModelSource }>
  predictCost: (input: ImpactFeatureInput) => number
}

/** The three models a symbol is served with; one object, swapped as a whole. */
export type ModelSet = Readonly<Record<ModelName, ImpactModel>>

/** A short content hash, so identical parameters always get the same version string. */
export function contentVersion (prefix: string, content: unknown): string {
  return `${prefix}-${createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 12)}`
}

/** Checks a record's non-fit fields. @throws TypeError/RangeError naming the field. */
function checkMeta (record: ModelRecord, path: string): ValidityRanges {
  if (typeof record.version !== 'string' || record.version === '') throw new TypeError(`${path}.version must be a non-empty string`)
  if (!['embedded', 'recalibrated', 'registry'].includes(record.source)) throw new TypeError(`${path}.source must be embedded, recalibrated or registry`)
  finiteAt(record.createdAtMs, `${path}.createdAtMs`, (n) => n >= 0, '>= 0')
  objectAt(record.calibration, `${path}.calibration`)
  const validity = objectAt(record.validity, `${path}.validity`)
  return { participation: rangeAt(validity.participation, `${path}.validity.participation`), volDaily: rangeAt(validity.volDaily, `${path}.validity.volDaily`) }
}

/**
 * Builds a servable model from a record, validating everything first (finite numbers, weight
 * shapes, standardisers): a corrupt record throws and replaces nothing.
 * @throws TypeError / RangeError naming the bad field.
 */
export function modelFromRecord (record: ModelRecord, path = 'record'): ImpactModel {
  objectAt(record, path)
  const validity = checkMeta(record, path)
  const info = <N extends ModelName>(name: N) => Object.freeze({ name, version: record.version, source: record.source })
  const meta = { version: record.version, source: record.source, validity, calibration: record.calibration, record }
  switch (record.name) {
    case 'sqrt': {
      const p = objectAt(record.params, `${path}.params`)
      const params: SqrtModelParams = {
        impactCoef: finiteAt(p.impactCoef, `${path}.params.impactCoef`),
        impactExponent: finiteAt(p.impactExponent, `${path}.params.impactExponent`),
        smearingFactor: finiteAt(p.smearingFactor, `${path}.params.smearingFactor`)
      }
      validateSqrtImpactParams(params, 'modelFromRecord')
      return Object.freeze({ name: 'sqrt' as const, ...meta, info: info('sqrt'), parameters: Object.freeze({ ...params }), predictCost: (input: ImpactFeatureInput) => sqrtImpactCost(params, input.participation, input.volDaily) })
    }
    case 'linear': {
      const model = linearFromJson(record.model)
      const row: number[] = []
      return Object.freeze({
        name: 'linear' as const,
        ...meta,
        info: info('linear'),
        parameters: Object.freeze({ featureNames: model.featureNames, coefficients: model.coefficients, intercept: model.intercept, standardiser: model.standardiser }),
        predictCost: (input: ImpactFeatureInput) => predictLinear(model, impactFeatures(input, row))
      })
    }
    case 'mlp': {
      const model = mlpFromJson(record.model)
      const row: number[] = []
      return Object.freeze({
        name: 'mlp' as const,
        ...meta,
        info: info('mlp'),
        parameters: Object.freeze({ featureNames: model.featureNames, layerSizes: model.layerSizes, training: model.training }),
        predictCost: (input: ImpactFeatureInput) => predictMlp(model, impactFeatures(input, row))
      })
    }
    default:
      throw new TypeError(`${path}.name must be sqrt, linear or mlp`)
  }
}
