/** "mlp": the multilayer perceptron on impactFeatures (mlp.ts), served from mlpToJson output. */
import { impactFeatures, requireImpactFeatureNames } from '../../domain/learn/impact-features.js'
import { mlpFromJson, MlpJsonSchema, mlpToJson } from '../../domain/learn/mlp-json.js'
import { predictMlp } from '../../domain/learn/mlp.js'
import { mlpCandidate, mlpPredictor } from '../../domain/validation/candidates.js'
import { defineModelKind, kindCandidate, learnedEmbedded } from './kind.js'

export const mlpKind = defineModelKind({
  name: 'mlp',
  field: 'model',
  fitSchema: MlpJsonSchema,
  bodyNote: 'mlpToJson',
  serve: (fitted, path) => {
    const model = mlpFromJson(fitted)
    requireImpactFeatureNames(path, model.featureNames)
    const row: number[] = []
    return {
      parameters: Object.freeze({ featureNames: model.featureNames, layerSizes: model.layerSizes, training: model.training }),
      predictCost: (input) => predictMlp(model, impactFeatures(input, row))
    }
  },
  predictor: (json) => {
    const model = mlpFromJson(json)
    requireImpactFeatureNames('model', model.featureNames)
    return mlpPredictor(model)
  },
  candidates: [kindCandidate(mlpCandidate, (c) => ({ payload: mlpToJson(c.model) }))],
  embedded: learnedEmbedded('mlp')
})
