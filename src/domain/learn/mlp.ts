/**
 * A small multilayer perceptron regressor: inputs -> ReLU h1 -> ReLU h2 -> 1 linear output.
 *
 * Training (`trainMlp`), all driven by one seeded RNG (rng.ts), so the same inputs and seed
 * give bit-identical weights:
 * 1. split: shuffle the row indices, the last round(n * validationFraction) are validation;
 * 2. standardise features and target with mean/std of the training split (stored in the model);
 * 3. init: He et al. 2015 ("Delving deep into rectifiers") N(0, 2/fanIn) for the two ReLU
 *    layers, LeCun N(0, 1/fanIn) for the linear output, biases 0;
 * 4. minibatch Adam (Kingma & Ba 2015, beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected),
 *    training rows reshuffled every epoch, on loss = MSE(standardised target) + l2 * sum(W^2)
 *    (coupled L2 on weights, not biases);
 * 4b. monotone inputs (option `monotoneInputs`): the constrained weights (monotoneWeightIndices)
 *    start at |He draw| and are projected onto >= 0 after every Adam step (projected gradient), so
 *    the network is non-decreasing in those inputs at every step, the kept one included;
 * 4c. anchored inputs (option `anchoredInputs`): the prediction is f(x) - f(x with those inputs at
 *    raw 0), so it is exactly 0 there (with the size features anchored: a zero-size order costs
 *    nothing, and with 4b every order costs >= 0); the target is then scaled by its root mean
 *    square, not centred (targetMean 0), since a constant cannot be represented;
 * 5. early stopping: after each epoch the validation MSE is measured; training stops when it
 *    has not improved for `patience` epochs, and the weights of the best epoch are restored.
 */
import { DomainRangeError } from '../errors.js'
import { requireNumber } from '../guards.js'
import { checkDesign, resolveFeatureNames } from './checks.js'
import {
  accumulateBatch, createScratch, finishLossAndGradient, meanSquaredError, mlpLayout, monotoneWeightIndices, networkOutput,
  type MlpAnchor, type MlpLayout, type MlpScratch
} from './mlp-network.js'
import { createRng, shuffleInPlace, type Rng } from './rng.js'
import type { MlpModel } from './mlp-model.js'
import { fitScalarStandardiser, fitStandardiser, type Standardiser } from './standardiser.js'

export { mlpLayout, type MlpLayout } from './mlp-network.js'
export { mlpToJson, mlpFromJson, type MlpJson } from './mlp-json.js'
export type { MlpModel, MlpTrainingInfo } from './mlp-model.js'

export interface MlpTrainOptions {
  hidden1?: number
  hidden2?: number
  /** Adam step size (alpha); default 1e-3 */
  learningRate?: number
  batchSize?: number
  maxEpochs?: number
  patience?: number
  /** share of rows held out for early stopping, in (0, 1) */
  validationFraction?: number
  /** L2 penalty coefficient (lambda) on weights, >= 0 */
  l2?: number
  seed: number
  featureNames?: string[]
  /** input indices the output must be non-decreasing in (sign-constrained weights, see mlp-network.ts); default none */
  monotoneInputs?: readonly number[]
  /** input indices at whose raw value 0 the prediction is anchored to exactly 0 (see 4c); default none */
  anchoredInputs?: readonly number[]
  /** called after every epoch; lets the caller pace the work (the job's training thread rests there). Never changes the result. */
  afterEpoch?: () => void
}

export const MLP_DEFAULTS = Object.freeze({
  hidden1: 16, hidden2: 8, learningRate: 1e-3, batchSize: 64, maxEpochs: 200, patience: 20, validationFraction: 0.2, l2: 0
})

const ADAM_BETA1 = 0.9
const ADAM_BETA2 = 0.999
const ADAM_EPSILON = 1e-8

type ResolvedOptions = Required<Omit<MlpTrainOptions, 'featureNames' | 'afterEpoch' | 'monotoneInputs' | 'anchoredInputs'>>

function resolveOptions (options: MlpTrainOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('trainMlp: options must be an object with at least a seed')
  const o: ResolvedOptions = { ...MLP_DEFAULTS, seed: options.seed }
  for (const key of Object.keys(MLP_DEFAULTS) as Array<keyof typeof MLP_DEFAULTS>) {
    const value = options[key]
    if (value !== undefined) o[key] = value
  }
  const positiveInt = (n: number): boolean => Number.isInteger(n) && n >= 1
  requireNumber('trainMlp', 'options.hidden1', o.hidden1, positiveInt(o.hidden1), 'a positive integer')
  requireNumber('trainMlp', 'options.hidden2', o.hidden2, positiveInt(o.hidden2), 'a positive integer')
  requireNumber('trainMlp', 'options.learningRate', o.learningRate, o.learningRate > 0, '> 0')
  requireNumber('trainMlp', 'options.batchSize', o.batchSize, positiveInt(o.batchSize), 'a positive integer')
  requireNumber('trainMlp', 'options.maxEpochs', o.maxEpochs, positiveInt(o.maxEpochs), 'a positive integer')
  requireNumber('trainMlp', 'options.patience', o.patience, positiveInt(o.patience), 'a positive integer')
  requireNumber('trainMlp', 'options.validationFraction', o.validationFraction, o.validationFraction > 0 && o.validationFraction < 1, 'in (0, 1)')
  requireNumber('trainMlp', 'options.l2', o.l2, o.l2 >= 0, '>= 0')
  requireNumber('trainMlp', 'options.seed', o.seed, Number.isSafeInteger(o.seed), 'a safe integer')
  return o
}

function initialiseWeights (layout: MlpLayout, rng: Rng): Float64Array {
  const weights = new Float64Array(layout.total)
  const fill = (start: number, count: number, std: number): void => {
    for (let p = start; p < start + count; p++) weights[p] = std * rng.normal()
  }
  fill(layout.w1, layout.hidden1 * layout.nIn, Math.sqrt(2 / layout.nIn))
  fill(layout.w2, layout.hidden2 * layout.hidden1, Math.sqrt(2 / layout.hidden1))
  fill(layout.w3, layout.hidden2, Math.sqrt(1 / layout.hidden2))
  return weights
}

/** Distinct integer indices in [0, nIn), copied; [] when absent. @throws DomainRangeError naming `field`. */
function inputIndices (fn: string, field: string, indices: readonly number[] | undefined, nIn: number): number[] {
  const list = [...(indices ?? [])]
  if (!list.every((i) => Number.isInteger(i) && i >= 0 && i < nIn) || new Set(list).size !== list.length) {
    throw new DomainRangeError(`${fn}: ${field} must be distinct input indices in [0, ${nIn - 1}] (got [${list.join(', ')}])`, field, 'distinct input indices')
  }
  return list
}

/** Mean 0 and the root mean square as std (1 when all are 0): the target scaling of an anchored network. */
function rootMeanSquare (values: ArrayLike<number>, indices: ArrayLike<number>): { mean: number, std: number } {
  let sumSq = 0
  for (let k = 0; k < indices.length; k++) sumSq += values[indices[k]] ** 2
  const rms = Math.sqrt(sumSq / indices.length)
  return { mean: 0, std: rms > 0 ? rms : 1 }
}

/** The anchor of raw 0 on the given inputs, in standardised units; undefined when none. */
export function anchorFor (anchoredInputs: readonly number[], standardiser: Standardiser): MlpAnchor | undefined {
  if (anchoredInputs.length === 0) return undefined
  return { indices: [...anchoredInputs], values: anchoredInputs.map((i) => -standardiser.mean[i] / standardiser.std[i]) }
}

/** Row-major standardised inputs and standardised targets for every row. */
function standardiseDesign (rows: number[][], targets: number[], standardiser: Standardiser, targetMean: number, targetStd: number): { inputs: Float64Array, ys: Float64Array } {
  const nIn = standardiser.mean.length
  const inputs = new Float64Array(rows.length * nIn)
  const ys = new Float64Array(rows.length)
  for (let r = 0; r < rows.length; r++) {
    for (let i = 0; i < nIn; i++) inputs[r * nIn + i] = (rows[r][i] - standardiser.mean[i]) / standardiser.std[i]
    ys[r] = (targets[r] - targetMean) / targetStd
  }
  return { inputs, ys }
}

/**
 * Trains an MLP regressor (see the module comment for the algorithm). Deterministic for a
 * given seed. Cost O(epochs x rows x (nIn h1 + h1 h2)).
 * @throws DomainRangeError naming `rows`/`targets` (empty, ragged, non-finite, length
 *   mismatch, fewer than 2 rows), `options.<name>` for an invalid option or a split leaving
 *   the training or validation set empty, or `options.learningRate` if the loss diverges.
 */
export function trainMlp (rows: number[][], targets: number[], options: MlpTrainOptions): MlpModel {
  const fn = 'trainMlp'
  const nIn = checkDesign(fn, rows, targets, () => 2)
  const o = resolveOptions(options)
  const featureNames = resolveFeatureNames(fn, options.featureNames, nIn)
  const monotoneInputs = inputIndices(fn, 'options.monotoneInputs', options.monotoneInputs, nIn)
  const anchoredInputs = inputIndices(fn, 'options.anchoredInputs', options.anchoredInputs, nIn)
  const rng = createRng(o.seed)

  const nRows = rows.length
  const nValidation = Math.round(nRows * o.validationFraction)
  const nTrain = nRows - nValidation
  if (nValidation < 1 || nTrain < 1) {
    throw new DomainRangeError(`${fn}: options.validationFraction ${o.validationFraction} leaves ${nTrain} training and ${nValidation} validation rows of ${nRows}; both must be >= 1`, 'options.validationFraction', 'nonEmptySplits')
  }
  const order = shuffleInPlace(Int32Array.from({ length: nRows }, (_, i) => i), rng)
  const trainIndices = order.slice(0, nTrain)
  const validationIndices = order.slice(nTrain)

  const standardiser = fitStandardiser(rows, trainIndices)
  const { mean: targetMean, std: targetStd } = anchoredInputs.length === 0 ? fitScalarStandardiser(targets, trainIndices) : rootMeanSquare(targets, trainIndices)
  const anchor = anchorFor(anchoredInputs, standardiser)
  const { inputs, ys } = standardiseDesign(rows, targets, standardiser, targetMean, targetStd)

  const layerSizes: [number, number, number, 1] = [nIn, o.hidden1, o.hidden2, 1]
  const layout = mlpLayout(layerSizes)
  const weights = initialiseWeights(layout, rng)
  const constrained = Int32Array.from(monotoneWeightIndices(layout, monotoneInputs))
  for (const p of constrained) weights[p] = Math.abs(weights[p])
  const best = new Float64Array(layout.total)
  const gradient = new Float64Array(layout.total)
  const moment1 = new Float64Array(layout.total)
  const moment2 = new Float64Array(layout.total)
  const scratch = createScratch(layout)
  const batchOrder = trainIndices.slice()

  let step = 0
  let bestEpoch = 0
  let bestValidation = Infinity
  let bestTrain = Infinity
  let epoch = 0
  while (epoch < o.maxEpochs) {
    epoch++
    shuffleInPlace(batchOrder, rng)
    for (let start = 0; start < nTrain; start += o.batchSize) {
      const end = Math.min(start + o.batchSize, nTrain)
      gradient.fill(0)
      const sumSq = accumulateBatch(weights, layout, inputs, ys, batchOrder, start, end, gradient, scratch, anchor)
      finishLossAndGradient(weights, layout, sumSq, end - start, o.l2, gradient)
      step++
      const correction1 = 1 - ADAM_BETA1 ** step
      const correction2 = 1 - ADAM_BETA2 ** step
      for (let p = 0; p < layout.total; p++) {
        const g = gradient[p]
        moment1[p] = ADAM_BETA1 * moment1[p] + (1 - ADAM_BETA1) * g
        moment2[p] = ADAM_BETA2 * moment2[p] + (1 - ADAM_BETA2) * g * g
        weights[p] -= o.learningRate * (moment1[p] / correction1) / (Math.sqrt(moment2[p] / correction2) + ADAM_EPSILON)
      }
      for (const p of constrained) if (weights[p] < 0) weights[p] = 0
    }
    const validationMse = meanSquaredError(weights, layout, inputs, ys, validationIndices, scratch, anchor)
    if (validationMse < bestValidation) {
      bestValidation = validationMse
      bestEpoch = epoch
      best.set(weights)
      bestTrain = meanSquaredError(weights, layout, inputs, ys, trainIndices, scratch, anchor)
    } else if (epoch - bestEpoch >= o.patience) {
      break
    }
    options.afterEpoch?.()
  }
  if (bestEpoch === 0 || !Number.isFinite(bestTrain)) {
    throw new DomainRangeError(`${fn}: training diverged (validation loss never finite); lower options.learningRate`, 'options.learningRate', 'convergent')
  }
  const targetVariance = targetStd * targetStd
  return {
    kind: 'mlp',
    featureNames,
    layerSizes,
    monotoneInputs,
    anchoredInputs,
    weights: best,
    standardiser,
    targetMean,
    targetStd,
    training: { epochs: epoch, bestEpoch, trainLoss: bestTrain * targetVariance, validationLoss: bestValidation * targetVariance, seed: o.seed, rows: nRows }
  }
}

// Module-level scratch for predictMlp: JavaScript runs one call at a time, so sharing is
// safe, and the hot path allocates nothing once the buffers are as large as the widest model.
let predictInput = new Float64Array(8)
let predictScratch: MlpScratch = createScratch(mlpLayout([8, 32, 32, 1]))
const layoutCache = new WeakMap<Float64Array, { layout: MlpLayout, anchor: MlpAnchor | undefined }>()

function layoutOf (model: MlpModel): { layout: MlpLayout, anchor: MlpAnchor | undefined } {
  let cached = layoutCache.get(model.weights)
  const [nIn, hidden1, hidden2] = model.layerSizes
  if (cached === undefined || cached.layout.nIn !== nIn || cached.layout.hidden1 !== hidden1 || cached.layout.hidden2 !== hidden2) {
    const layout = mlpLayout(model.layerSizes)
    if (model.weights.length !== layout.total) throw new RangeError(`predictMlp: weights must have ${layout.total} entries for layerSizes [${model.layerSizes.join(', ')}] (got ${model.weights.length})`)
    cached = { layout, anchor: anchorFor(model.anchoredInputs, model.standardiser) }
    layoutCache.set(model.weights, cached)
  }
  return cached
}

/**
 * Predicts the target (in target units) for one row of raw feature values: targetMean +
 * targetStd * networkOutput (anchored when the model has anchoredInputs). O(nIn h1 + h1 h2),
 * twice that when anchored; reuses module-level scratch buffers, so it allocates nothing per call.
 * Non-finite feature values give a non-finite prediction (callers validate inputs).
 * @throws RangeError if `row` has the wrong number of values (programmer error).
 */
export function predictMlp (model: MlpModel, row: ArrayLike<number>): number {
  const { layout, anchor } = layoutOf(model)
  const { mean, std } = model.standardiser
  if (row.length !== layout.nIn) throw new RangeError(`predictMlp: row must have ${layout.nIn} values (got ${row.length})`)
  if (predictInput.length < layout.nIn) predictInput = new Float64Array(layout.nIn)
  if (predictScratch.act1.length < layout.hidden1 || predictScratch.act2.length < layout.hidden2 || predictScratch.anchorInput.length < layout.nIn) {
    predictScratch = createScratch(mlpLayout([Math.max(layout.nIn, predictScratch.anchorInput.length), Math.max(layout.hidden1, predictScratch.act1.length), Math.max(layout.hidden2, predictScratch.act2.length), 1]))
  }
  for (let i = 0; i < layout.nIn; i++) predictInput[i] = (row[i] - mean[i]) / std[i]
  const output = networkOutput(model.weights, layout, predictInput, 0, predictScratch, anchor)
  return model.targetMean + model.targetStd * output
}

/**
 * The training objective and its exact gradient (backpropagation) at the model's weights:
 * loss = mean over rows of (network output - (target - targetMean) / targetStd)^2
 *        + l2 * sum of squared weights (biases excluded),
 * with rows standardised by the model's standardiser. `gradient` has the flat layout of
 * `model.weights` (see mlpLayout). Used for gradient checks and diagnostics.
 * @throws DomainRangeError naming `rows`/`targets` (as trainMlp) or `options.l2` (< 0);
 *   RangeError if the rows do not have nIn values.
 */
export function mlpLossAndGradient (model: MlpModel, rows: number[][], targets: number[], options: { l2?: number } = {}): { loss: number, gradient: Float64Array } {
  const fn = 'mlpLossAndGradient'
  const nIn = checkDesign(fn, rows, targets, () => 1)
  const { layout, anchor } = layoutOf(model)
  if (nIn !== layout.nIn) throw new RangeError(`${fn}: rows must have ${layout.nIn} values each (got ${nIn})`)
  const l2 = options.l2 ?? 0
  if (!(Number.isFinite(l2) && l2 >= 0)) throw new DomainRangeError(`${fn}: options.l2 must be >= 0 (got ${l2})`, 'options.l2', '>= 0')
  const { inputs, ys } = standardiseDesign(rows, targets, model.standardiser, model.targetMean, model.targetStd)
  const indices = Int32Array.from({ length: rows.length }, (_, i) => i)
  const gradient = new Float64Array(layout.total)
  const sumSq = accumulateBatch(model.weights, layout, inputs, ys, indices, 0, rows.length, gradient, createScratch(layout), anchor)
  const loss = finishLossAndGradient(model.weights, layout, sumSq, rows.length, l2, gradient)
  return { loss, gradient }
}
