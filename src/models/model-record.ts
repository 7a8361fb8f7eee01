/**
 * What every model record carries besides its kind's name and fitted part (the fitted part's
 * schema comes with the kind: src/models/kinds). Checked with checkJson; the type of a whole
 * record (ModelRecord) is assembled from the kinds in model-kinds.ts.
 */
import { Type, type Static } from '@sinclair/typebox'
import { JsonObjectSchema, RangeSchema } from './json-fields.js'

/** embedded: shipped defaults; recalibrated: published by this process's recalibration job; registry: published through the registry */
export const MODEL_SOURCES = ['embedded', 'recalibrated', 'registry'] as const
export type ModelSource = typeof MODEL_SOURCES[number]

/** Where a model was fitted: inputs outside these ranges get a warning in the estimate (max >= min: checkRange). */
export const ValiditySchema = Type.Object({ participation: RangeSchema, volDaily: RangeSchema })
export type ValidityRanges = Static<typeof ValiditySchema>

/** The record fields every kind shares, in the order they are checked. */
export const ModelMetaSchema = Type.Object({
  version: Type.String({ minLength: 1 }),
  source: Type.Union(MODEL_SOURCES.map((source) => Type.Literal(source))),
  createdAtMs: Type.Number({ minimum: 0 }),
  /** data set, window, sample counts, out-of-sample metrics, validation verdict */
  calibration: JsonObjectSchema,
  validity: ValiditySchema
})
export type ModelMeta = Static<typeof ModelMetaSchema>
