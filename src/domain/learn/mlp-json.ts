/**
 * JSON form of an MlpModel: plain arrays, weights per layer as [out][in] matrices so a stored
 * file is readable, and a validating reader for anything loaded from disk or a registry.
 */
import { readFinite, readFiniteArray, readObject, readPositiveInt, readStringArray } from './checks.js'
import type { MlpModel, MlpTrainingInfo } from './mlp-model.js'
import { mlpLayout } from './mlp-network.js'
import { standardiserFromJson, standardiserToJson, type Standardiser } from './standardiser.js'

/** One dense layer: `weights[out][in]`, `biases[out]`. */
export interface MlpLayerJson {
  weights: number[][]
  biases: number[]
}

export interface MlpJson {
  kind: 'mlp'
  featureNames: string[]
  layerSizes: [number, number, number, 1]
  /** input -> hidden1, hidden1 -> hidden2, hidden2 -> output */
  layers: [MlpLayerJson, MlpLayerJson, MlpLayerJson]
  standardiser: Standardiser
  targetMean: number
  targetStd: number
  training: MlpTrainingInfo
}

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

function readLayer (fn: string, node: unknown, path: string, nOut: number, nIn: number, into: Float64Array, weightStart: number, biasStart: number): void {
  const layer = readObject(fn, node, path)
  if (!Array.isArray(layer.weights)) throw new TypeError(`${fn}: ${path}.weights must be an array of ${nOut} rows`)
  if (layer.weights.length !== nOut) throw new RangeError(`${fn}: ${path}.weights must have ${nOut} rows (got ${layer.weights.length})`)
  for (let o = 0; o < nOut; o++) {
    into.set(readFiniteArray(fn, layer.weights[o], `${path}.weights[${o}]`, nIn), weightStart + o * nIn)
  }
  into.set(readFiniteArray(fn, layer.biases, `${path}.biases`, nOut), biasStart)
}

function readTraining (fn: string, node: unknown, nRowsMin: number): MlpTrainingInfo {
  const training = readObject(fn, node, 'training')
  const epochs = readPositiveInt(fn, training.epochs, 'training.epochs')
  return {
    epochs,
    bestEpoch: readFinite(fn, training.bestEpoch, 'training.bestEpoch', (n) => Number.isInteger(n) && n >= 1 && n <= epochs, `an integer in [1, ${epochs}]`),
    trainLoss: readFinite(fn, training.trainLoss, 'training.trainLoss', (n) => n >= 0, '>= 0'),
    validationLoss: readFinite(fn, training.validationLoss, 'training.validationLoss', (n) => n >= 0, '>= 0'),
    seed: readFinite(fn, training.seed, 'training.seed', Number.isSafeInteger, 'a safe integer'),
    rows: readFinite(fn, training.rows, 'training.rows', (n) => Number.isInteger(n) && n >= nRowsMin, `an integer >= ${nRowsMin}`)
  }
}

/**
 * Validates parsed JSON (e.g. JSON.parse of mlpToJson output) and builds an MlpModel.
 * Rules: kind 'mlp'; layerSizes four positive integers ending in 1; featureNames and
 * standardiser.mean/std of length nIn, std > 0; layers[0..2] with weights [out][in] and
 * biases [out] matching layerSizes; every number finite; targetStd > 0; training counts
 * consistent (1 <= bestEpoch <= epochs, rows >= 2, losses >= 0).
 * @throws TypeError (missing field, wrong type, non-finite number) or RangeError (wrong
 *   shape or value), the message naming the field path, e.g.
 *   `mlpFromJson: layers[1].weights[3] must have length 16 (got 15)`.
 */
export function mlpFromJson (json: unknown): MlpModel {
  const fn = 'mlpFromJson'
  const root = readObject(fn, json, 'model')
  if (root.kind !== 'mlp') throw new TypeError(`${fn}: kind must be 'mlp' (got ${String(root.kind)})`)
  if (!Array.isArray(root.layerSizes)) throw new TypeError(`${fn}: layerSizes must be an array [nIn, h1, h2, 1]`)
  if (root.layerSizes.length !== 4) throw new RangeError(`${fn}: layerSizes must have length 4 (got ${root.layerSizes.length})`)
  const sizes = root.layerSizes.map((n, i) => readPositiveInt(fn, n, `layerSizes[${i}]`))
  if (sizes[3] !== 1) throw new RangeError(`${fn}: layerSizes[3] must be 1 (got ${sizes[3]})`)
  const layerSizes: [number, number, number, 1] = [sizes[0], sizes[1], sizes[2], 1]
  const layout = mlpLayout(layerSizes)
  const { nIn, hidden1, hidden2 } = layout

  const featureNames = readStringArray(fn, root.featureNames, 'featureNames', nIn)
  if (!Array.isArray(root.layers)) throw new TypeError(`${fn}: layers must be an array of 3 layers`)
  if (root.layers.length !== 3) throw new RangeError(`${fn}: layers must have length 3 (got ${root.layers.length})`)
  const weights = new Float64Array(layout.total)
  readLayer(fn, root.layers[0], 'layers[0]', hidden1, nIn, weights, layout.w1, layout.b1)
  readLayer(fn, root.layers[1], 'layers[1]', hidden2, hidden1, weights, layout.w2, layout.b2)
  readLayer(fn, root.layers[2], 'layers[2]', 1, hidden2, weights, layout.w3, layout.b3)

  return {
    kind: 'mlp',
    featureNames,
    layerSizes,
    weights,
    standardiser: standardiserFromJson(fn, root.standardiser, 'standardiser', nIn),
    targetMean: readFinite(fn, root.targetMean, 'targetMean'),
    targetStd: readFinite(fn, root.targetStd, 'targetStd', (n) => n > 0, '> 0'),
    training: readTraining(fn, root.training, 2)
  }
}
