/**
 * "istar": Kissell's I-Star execution model (istar.ts), fitted offline over windows of several
 * lengths (calibrate-istar.ts, `npm run defaults`). Served as the instantaneous impact
 * I* = a1 volDaily participation^a2 of the whole order at once: an immediate estimate with
 * model "istar". The rate part (b1, a4, POV) and the calibration's povRange and
 * horizonMinutesRange are for estimates of an order worked over time.
 * It is the default model (first in MODEL_KINDS). No gate candidate: the job's samples
 * (TimedSample) carry no window volume, so the job calibrates and gates it separately on windows of
 * several lengths (src/domain/validation/istar-gate.ts, src/jobs/istar-record.ts).
 */
import { Type } from '@sinclair/typebox'
import { checkJson } from '../../domain/learn/checks.js'
import { instantaneousImpact, validateIStarParams, type IStarParams } from '../../domain/impact/istar.js'
import { predictorFromCost } from '../../domain/validation/candidates.js'
import { RangeSchema, SourcedNumberSchema } from '../json-fields.js'
import { defineModelKind, embeddedSection, EmbeddedCalibrationSchema, type KindCandidate } from './kind.js'

/** a1, a2, a4, b1: finite numbers (their ranges: validateIStarParams). */
export const IStarParamsSchema = Type.Object({ a1: Type.Number(), a2: Type.Number(), a4: Type.Number(), b1: Type.Number() })

/** The calibration of the embedded section: the shared ranges plus the POV and window lengths it was fitted on. */
const IStarCalibrationSchema = Type.Intersect([EmbeddedCalibrationSchema, Type.Object({ povRange: RangeSchema, horizonMinutesRange: RangeSchema })])

const EmbeddedIStarSchema = Type.Object({
  params: Type.Object({ a1: SourcedNumberSchema, a2: SourcedNumberSchema, a4: SourcedNumberSchema, b1: SourcedNumberSchema }),
  calibration: IStarCalibrationSchema
})

function servedParams (fitted: unknown, path: string): IStarParams {
  checkJson(IStarParamsSchema, fitted, path)
  const params = { a1: fitted.a1, a2: fitted.a2, a4: fitted.a4, b1: fitted.b1 }
  validateIStarParams(params, 'modelFromRecord')
  return params
}

const NO_CANDIDATES: ReadonlyArray<KindCandidate<IStarParams, never>> = []

export const istarKind = defineModelKind({
  name: 'istar',
  field: 'params',
  fitSchema: IStarParamsSchema,
  bodyNote: 'I-Star a1, a2 (size exponent), a4 (rate exponent), b1 (rate-dependent share)',
  label: 'execution model (I-Star)',
  serve: (fitted, path) => {
    const params = servedParams(fitted, path)
    return { parameters: Object.freeze({ ...params }), predictCost: (input) => instantaneousImpact(params, input.participation, input.volDaily) }
  },
  predictor: (fitted) => {
    const params = servedParams(fitted, 'params')
    return predictorFromCost((input) => instantaneousImpact(params, input.participation, input.volDaily))
  },
  candidates: NO_CANDIDATES,
  embedded: (file, path) => {
    const section = embeddedSection(file, path, 'istar', EmbeddedIStarSchema)
    const { a1, a2, a4, b1 } = section.params
    return { fitted: { a1: a1.value, a2: a2.value, a4: a4.value, b1: b1.value }, calibration: section.calibration }
  }
})
