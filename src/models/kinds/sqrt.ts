/**
 * "sqrt": the square-root impact law cost = eta * sigma * p^delta * smearing (sqrt-impact.ts),
 * fitted by the log-linear OLS (logLinear) or with delta fixed at 0.5 (refit05).
 */
import { Type } from '@sinclair/typebox'
import { checkJson } from '../../domain/learn/checks.js'
import { sqrtImpactCost, validateSqrtImpactParams } from '../../domain/impact/sqrt-impact.js'
import { logLinearCandidate, refit05Candidate, sqrtPredictor } from '../../domain/validation/candidates.js'
import { SourcedNumberSchema } from '../json-fields.js'
import { defineModelKind, embeddedSection, EmbeddedCalibrationSchema, kindCandidate } from './kind.js'

/** eta, delta and the smearing factor: finite numbers (their ranges: validateSqrtImpactParams). */
export const SqrtParamsSchema = Type.Object({ impactCoef: Type.Number(), impactExponent: Type.Number(), smearingFactor: Type.Number() })

const EmbeddedSqrtSchema = Type.Object({
  impactCoef: SourcedNumberSchema,
  impactExponent: SourcedNumberSchema,
  smearingFactor: SourcedNumberSchema,
  calibration: EmbeddedCalibrationSchema
})

export const sqrtKind = defineModelKind({
  name: 'sqrt',
  field: 'params',
  fitSchema: SqrtParamsSchema,
  bodyNote: 'eta, delta, smearing factor',
  label: 'square-root law',
  serve: (fitted, path) => {
    checkJson(SqrtParamsSchema, fitted, path)
    const params = { impactCoef: fitted.impactCoef, impactExponent: fitted.impactExponent, smearingFactor: fitted.smearingFactor }
    validateSqrtImpactParams(params, 'modelFromRecord')
    return { parameters: Object.freeze({ ...params }), predictCost: (input) => sqrtImpactCost(params, input.participation, input.volDaily) }
  },
  predictor: (params) => sqrtPredictor(params),
  candidates: [
    kindCandidate(logLinearCandidate, (c) => ({ payload: c.sqrtParams, calibration: c.calibration })),
    kindCandidate(refit05Candidate, (c) => ({ payload: c.sqrtParams, calibration: c.refit }))
  ],
  embedded: (file, path) => {
    const section = embeddedSection(file, path, 'sqrt', EmbeddedSqrtSchema)
    return {
      fitted: { impactCoef: section.impactCoef.value, impactExponent: section.impactExponent.value, smearingFactor: section.smearingFactor.value },
      calibration: section.calibration
    }
  }
})
