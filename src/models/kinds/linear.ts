/** "linear": least squares on impactFeatures (linear-regression.ts), served from linearToJson output. */
import { impactFeatures, requireImpactFeatureNames } from '../../domain/learn/impact-features.js'
import { linearFromJson, LinearJsonSchema, linearToJson, predictLinear } from '../../domain/learn/linear-regression.js'
import { linearCandidate, linearPredictor } from '../../domain/validation/candidates.js'
import { defineModelKind, kindCandidate, learnedEmbedded } from './kind.js'

export const linearKind = defineModelKind({
  name: 'linear',
  field: 'model',
  fitSchema: LinearJsonSchema,
  bodyNote: 'linearToJson',
  serve: (fitted, path) => {
    const model = linearFromJson(fitted)
    requireImpactFeatureNames(path, model.featureNames)
    const row: number[] = []
    return {
      parameters: Object.freeze({ featureNames: model.featureNames, coefficients: model.coefficients, intercept: model.intercept, standardiser: model.standardiser }),
      predictCost: (input) => predictLinear(model, impactFeatures(input, row))
    }
  },
  predictor: (json) => {
    const model = linearFromJson(json)
    requireImpactFeatureNames('model', model.featureNames)
    return linearPredictor(model)
  },
  candidates: [kindCandidate(linearCandidate, (c) => ({ payload: linearToJson(c.model) }))],
  embedded: learnedEmbedded('linear')
})
