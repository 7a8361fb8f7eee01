/**
 * "istar": the execution model, Kissell's I-Star (src/domain/impact/istar.ts), fitted on signed
 * flow in windows of several lengths (calibrate-istar.ts). Served as an impact model it prices the
 * whole order at once (I*, POV = 1); executions worked over time are priced from its parameters by
 * src/domain/execution/execution-plan.ts.
 */
import { Type } from '@sinclair/typebox'
import { checkJson } from '../../domain/learn/checks.js'
import { instantaneousImpact, validateIStarParams } from '../../domain/impact/istar.js'
import { predictorFromCost } from '../../domain/validation/candidates.js'
import { SourcedNumberSchema, JsonObjectSchema } from '../json-fields.js'
import { defineModelKind, embeddedSection, EmbeddedCalibrationSchema } from './kind.js'

/** a1, a2, a4, b1: finite numbers (their ranges: validateIStarParams). */
export const IStarParamsSchema = Type.Object({ a1: Type.Number(), a2: Type.Number(), a4: Type.Number(), b1: Type.Number() })

const EmbeddedIStarSchema = Type.Object({
  a1: SourcedNumberSchema,
  a2: SourcedNumberSchema,
  a4: SourcedNumberSchema,
  b1: SourcedNumberSchema,
  calibration: Type.Intersect([EmbeddedCalibrationSchema, JsonObjectSchema])
})

function checked (fitted: unknown, path: string) {
  checkJson(IStarParamsSchema, fitted, path)
  const params = { a1: fitted.a1, a2: fitted.a2, a4: fitted.a4, b1: fitted.b1 }
  validateIStarParams(params, 'modelFromRecord')
  return params
}

export const istarKind = defineModelKind({
  name: 'istar',
  field: 'params',
  fitSchema: IStarParamsSchema,
  bodyNote: 'I-Star a1, a2, a4, b1',
  label: 'execution model, I-Star',
  serve: (fitted, path) => {
    const params = checked(fitted, path)
    return { parameters: Object.freeze({ ...params }), predictCost: (input) => instantaneousImpact(params, input.participation, input.volDaily) }
  },
  predictor: (params) => predictorFromCost((input) => instantaneousImpact(params, input.participation, input.volDaily)),
  candidates: [],
  embedded: (file, path) => {
    const section = embeddedSection(file, path, 'istar', EmbeddedIStarSchema)
    return {
      fitted: { a1: section.a1.value, a2: section.a2.value, a4: section.a4.value, b1: section.b1.value },
      calibration: section.calibration
    }
  }
})
