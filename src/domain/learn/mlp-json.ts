/**
 * JSON form of an MlpModel: plain arrays, weights per layer as [out][in] matrices so a stored
 * file is readable, and a validating reader for anything loaded from disk or a registry.
 */
import { Type, type Static } from '@sinclair/typebox'
import { checkJson, checkLength } from './checks.js'
import type { MlpModel } from './mlp-model.js'
import { mlpLayout, monotoneWeightIndices } from './mlp-network.js'
import { standardiserFromJson, standardiserToJson, StandardiserSchema } from './standardiser.js'

const PositiveInt = Type.Integer({ minimum: 1 })

/** One dense layer: `weights[out][in]`, `biases[out]` (shapes checked against layerSizes by mlpFromJson). */
export const MlpLayerJsonSchema = Type.Object({
  weights: Type.Array(Type.Array(Type.Number())),
  biases: Type.Array(Type.Number())
})
export type MlpLayerJson = Static<typeof MlpLayerJsonSchema>

/** MlpTrainingInfo as stored (1 <= bestEpoch <= epochs is checked by mlpFromJson). */
export const MlpTrainingJsonSchema = Type.Object({
  epochs: PositiveInt,
  bestEpoch: Type.Integer(),
  trainLoss: Type.Number({ minimum: 0 }),
  validationLoss: Type.Number({ minimum: 0 }),
  seed: Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
  rows: Type.Integer({ minimum: 2 })
})

/**
 * The JSON form of an MlpModel. Every length follows layerSizes [nIn, h1, h2, 1]: featureNames
 * and the standardiser have nIn entries, layers[k] has weights [out][in] and biases [out].
 */
export const MlpJsonSchema = Type.Object({
  kind: Type.Literal('mlp'),
  featureNames: Type.Array(Type.String()),
  layerSizes: Type.Tuple([PositiveInt, PositiveInt, PositiveInt, Type.Literal(1)]),
  /** input indices the network is non-decreasing in (its sign constraint is checked on load) */
  monotoneInputs: Type.Array(Type.Integer({ minimum: 0 })),
  /** input indices at whose raw 0 the output is anchored to 0 (mlp.ts 4c) */
  anchoredInputs: Type.Array(Type.Integer({ minimum: 0 })),
  /** input -> hidden1, hidden1 -> hidden2, hidden2 -> output */
  layers: Type.Tuple([MlpLayerJsonSchema, MlpLayerJsonSchema, MlpLayerJsonSchema]),
  standardiser: StandardiserSchema,
  targetMean: Type.Number(),
  targetStd: Type.Number({ exclusiveMinimum: 0 }),
  training: MlpTrainingJsonSchema
})
export type MlpJson = Static<typeof MlpJsonSchema>

function layerToJson (weights: Float64Array, weightStart: number, biasStart: number, nOut: number, nIn: number): MlpLayerJson {
  const matrix: number[][] = []
  for (let o = 0; o < nOut; o++) matrix.push(Array.from(weights.subarray(weightStart + o * nIn, weightStart + (o + 1) * nIn)))
  return { weights: matrix, biases: Array.from(weights.subarray(biasStart, biasStart + nOut)) }
}

/** A plain, JSON-serialisable copy of the model (JSON.stringify round-trips doubles exactly). */
export function mlpToJson (model: MlpModel): MlpJson {
  const layout = mlpLayout(model.layerSizes)
  const { nIn, hidden1, hidden2 } = layout
  return {
    kind: 'mlp',
    featureNames: [...model.featureNames],
    layerSizes: [nIn, hidden1, hidden2, 1],
    monotoneInputs: [...model.monotoneInputs],
    anchoredInputs: [...model.anchoredInputs],
    layers: [
      layerToJson(model.weights, layout.w1, layout.b1, hidden1, nIn),
      layerToJson(model.weights, layout.w2, layout.b2, hidden2, hidden1),
      layerToJson(model.weights, layout.w3, layout.b3, 1, hidden2)
    ],
    standardiser: standardiserToJson(model.standardiser),
    targetMean: model.targetMean,
    targetStd: model.targetStd,
    training: { ...model.training }
  }
}

/** Copies a checked layer into the flat weights, checking its shape: `nOut` rows of `nIn`, `nOut` biases. */
function readLayer (fn: string, layer: MlpLayerJson, path: string, nOut: number, nIn: number, into: Float64Array, weightStart: number, biasStart: number): void {
  if (layer.weights.length !== nOut) throw new RangeError(`${fn}: ${path}.weights must have ${nOut} rows (got ${layer.weights.length})`)
  for (let o = 0; o < nOut; o++) {
    checkLength(fn, layer.weights[o], `${path}.weights[${o}]`, nIn)
    into.set(layer.weights[o], weightStart + o * nIn)
  }
  checkLength(fn, layer.biases, `${path}.biases`, nOut)
  into.set(layer.biases, biasStart)
}

/** A copy of a list of distinct input indices below nIn. @throws RangeError naming `${field}[k]`. */
function distinctIndices (fn: string, field: string, indices: readonly number[], nIn: number): number[] {
  indices.forEach((i, k) => { if (i >= nIn || indices.indexOf(i) !== k) throw new RangeError(`${fn}: ${field}[${k}] must be a distinct input index in [0, ${nIn - 1}] (got ${i})`) })
  return [...indices]
}

/** The JSON path of flat weight index p (a weight, not a bias). */
function weightPath (layout: ReturnType<typeof mlpLayout>, p: number): string {
  if (p < layout.b1) return `layers[0].weights[${Math.floor((p - layout.w1) / layout.nIn)}][${(p - layout.w1) % layout.nIn}]`
  if (p < layout.b2) return `layers[1].weights[${Math.floor((p - layout.w2) / layout.hidden1)}][${(p - layout.w2) % layout.hidden1}]`
  return `layers[2].weights[0][${p - layout.w3}]`
}

/**
 * Validates parsed JSON (e.g. JSON.parse of mlpToJson output) and builds an MlpModel.
 * Rules: MlpJsonSchema first (types, finite numbers, bounds), then the shapes it cannot hold:
 * kind 'mlp'; layerSizes four positive integers ending in 1; featureNames and
 * standardiser.mean/std of length nIn, std > 0; layers[0..2] with weights [out][in] and
 * biases [out] matching layerSizes; every number finite; targetStd > 0; training counts
 * consistent (1 <= bestEpoch <= epochs, rows >= 2, losses >= 0); monotoneInputs distinct indices
 * below nIn whose constrained weights (monotoneWeightIndices) are all >= 0; anchoredInputs distinct
 * indices below nIn.
 * @throws TypeError (missing field, wrong type, non-finite number) or RangeError (wrong
 *   shape or value), the message naming the field path, e.g.
 *   `mlpFromJson: layers[1].weights[3] must have length 16 (got 15)`.
 */
export function mlpFromJson (json: unknown): MlpModel {
  const fn = 'mlpFromJson'
  checkJson(MlpJsonSchema, json, 'model', { fn, relative: true })
  const layerSizes: [number, number, number, 1] = [...json.layerSizes]
  const layout = mlpLayout(layerSizes)
  const { nIn, hidden1, hidden2 } = layout

  checkLength(fn, json.featureNames, 'featureNames', nIn)
  const weights = new Float64Array(layout.total)
  readLayer(fn, json.layers[0], 'layers[0]', hidden1, nIn, weights, layout.w1, layout.b1)
  readLayer(fn, json.layers[1], 'layers[1]', hidden2, hidden1, weights, layout.w2, layout.b2)
  readLayer(fn, json.layers[2], 'layers[2]', 1, hidden2, weights, layout.w3, layout.b3)
  const monotoneInputs = distinctIndices(fn, 'monotoneInputs', json.monotoneInputs, nIn)
  const anchoredInputs = distinctIndices(fn, 'anchoredInputs', json.anchoredInputs, nIn)
  for (const p of monotoneWeightIndices(layout, monotoneInputs)) {
    if (!(weights[p] >= 0)) throw new RangeError(`${fn}: ${weightPath(layout, p)} must be >= 0 (got ${weights[p]}): the network is declared monotone in inputs [${monotoneInputs.join(', ')}]`)
  }
  const standardiser = standardiserFromJson(fn, json.standardiser, 'standardiser', nIn)
  const { epochs, bestEpoch, trainLoss, validationLoss, seed, rows } = json.training
  if (bestEpoch < 1 || bestEpoch > epochs) throw new RangeError(`${fn}: training.bestEpoch must be an integer in [1, ${epochs}] (got ${bestEpoch})`)

  return {
    kind: 'mlp',
    featureNames: [...json.featureNames],
    layerSizes,
    monotoneInputs,
    anchoredInputs,
    weights,
    standardiser,
    targetMean: json.targetMean,
    targetStd: json.targetStd,
    training: { epochs, bestEpoch, trainLoss, validationLoss, seed, rows }
  }
}
