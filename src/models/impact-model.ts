import { createHash } from 'node:crypto'
import { checkJson } from '../domain/learn/checks.js'
import type { ImpactFeatureInput } from '../domain/learn/impact-features.js'
import { checkRange } from './json-fields.js'
import { kindOf, modelNamesText, type ModelName, type ModelRecord } from './model-kinds.js'
import { ModelMetaSchema, type ModelSource, type ValidityRanges } from './model-record.js'

export { DEFAULT_MODEL_NAME, MODEL_KINDS, MODEL_NAMES, fitOf, kindOf, type GateCandidateName, type ModelFit, type ModelName, type ModelRecord } from './model-kinds.js'
export { MODEL_SOURCES, type ModelSource, type ValidityRanges } from './model-record.js'
export type { Range } from './json-fields.js'

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

/** The models a symbol is served with, one per kind; one object, swapped as a whole. */
export type ModelSet = Readonly<Record<ModelName, ImpactModel>>

/** A short content hash, so identical parameters always get the same version string. */
export function contentVersion (prefix: string, content: unknown): string {
  return `${prefix}-${createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 12)}`
}

/**
 * Builds a servable model from a record, validating everything first: the shared fields
 * (ModelMetaSchema, validity max >= min), the name (one of MODEL_NAMES), then the kind's fitted
 * part (finite numbers, weight shapes, standardisers: the kind's `serve`). A corrupt record
 * throws and replaces nothing.
 * @throws TypeError / RangeError naming the bad field.
 */
export function modelFromRecord (record: ModelRecord, path = 'record'): ImpactModel {
  checkJson(ModelMetaSchema, record, path)
  const validity = {
    participation: checkRange(record.validity.participation, `${path}.validity.participation`),
    volDaily: checkRange(record.validity.volDaily, `${path}.validity.volDaily`)
  }
  const kind = kindOf(record.name)
  if (kind === undefined) throw new TypeError(`${path}.name must be ${modelNamesText()}`)
  const served = kind.serve((record as Record<string, unknown>)[kind.field], `${path}.${kind.field}`)
  const { version, source, calibration } = record
  return Object.freeze({
    name: kind.name,
    version,
    source,
    validity,
    calibration,
    record,
    info: Object.freeze({ name: kind.name, version, source }),
    parameters: served.parameters,
    predictCost: served.predictCost
  })
}
