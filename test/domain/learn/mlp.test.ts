import t from 'tap'
import fc from 'fast-check'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { fitLinearRegression, predictLinear } from '../../../src/domain/learn/linear-regression.js'
import {
  mlpFromJson, mlpLayout, mlpLossAndGradient, mlpToJson, predictMlp, trainMlp, type MlpJson, type MlpModel
} from '../../../src/domain/learn/mlp.js'
import { monotoneWeightIndices } from '../../../src/domain/learn/mlp-network.js'
import { createRng, type Rng } from '../../../src/domain/learn/rng.js'

/** y = sqrt(x1) * x2 + N(0, noiseSd^2), x1 ~ U(0, 1), x2 ~ U(-1, 1). */
function sqrtProductData (rng: Rng, nRows: number, noiseSd: number): { rows: number[][], targets: number[] } {
  const rows: number[][] = []
  const targets: number[] = []
  for (let i = 0; i < nRows; i++) {
    const x1 = rng.next()
    const x2 = 2 * rng.next() - 1
    rows.push([x1, x2])
    targets.push(Math.sqrt(x1) * x2 + noiseSd * rng.normal())
  }
  return { rows, targets }
}

function meanSquaredError (predict: (row: number[]) => number, rows: number[][], targets: number[]): number {
  return rows.reduce((acc, row, i) => acc + (predict(row) - targets[i]) ** 2, 0) / rows.length
}

function sameBits (a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]))
}

/** Independent forward pass from the JSON layers (nested arrays), written out in full. */
function referencePredict (json: MlpJson, row: number[]): number {
  const relu = (v: number): number => Math.max(0, v)
  const dense = (layer: { weights: number[][], biases: number[] }, input: number[]): number[] =>
    layer.weights.map((weights, o) => weights.reduce((acc, w, i) => acc + w * input[i], layer.biases[o]))
  const z = row.map((x, i) => (x - json.standardiser.mean[i]) / json.standardiser.std[i])
  const hidden1 = dense(json.layers[0], z).map(relu)
  const hidden2 = dense(json.layers[1], hidden1).map(relu)
  return json.targetMean + json.targetStd * dense(json.layers[2], hidden2)[0]
}

const smallData = sqrtProductData(createRng(10), 120, 0.1)
const smallModel = trainMlp(smallData.rows, smallData.targets, { seed: 3, hidden1: 6, hidden2: 4, maxEpochs: 5 })
/** anchored at x1 = 0 (mlp.ts 4c): predicts f(x) - f(0, x2) */
const anchoredModel = trainMlp(smallData.rows, smallData.targets, { seed: 3, hidden1: 6, hidden2: 4, maxEpochs: 5, anchoredInputs: [0] })

t.test('layout: [nIn, h1, h2, 1] gives h1 nIn + h1 + h2 h1 + h2 + h2 + 1 parameters', async (t) => {
  t.equal(mlpLayout([5, 16, 8, 1]).total, 5 * 16 + 16 + 16 * 8 + 8 + 8 + 1)
  t.same(smallModel.layerSizes, [2, 6, 4, 1])
  t.equal(smallModel.weights.length, mlpLayout([2, 6, 4, 1]).total)
})

t.test('predictMlp equals an independent forward pass over the JSON layers (relative 1e-12)', async (t) => {
  const json = mlpToJson(smallModel)
  for (const row of smallData.rows.slice(0, 20)) {
    const expected = referencePredict(json, row)
    const got = predictMlp(smallModel, row)
    t.ok(Math.abs(got - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${got} vs reference ${expected}`)
  }
  t.throws(() => predictMlp(smallModel, [1, 2, 3]), RangeError, 'wrong row length')
  // anchored: the reference of f(x) - f(x with x1 = 0), and exactly 0 at x1 = 0 (the anchor itself)
  const anchoredJson = mlpToJson(anchoredModel)
  t.equal(anchoredModel.targetMean, 0, 'an anchored target is scaled, not centred')
  for (const row of smallData.rows.slice(0, 20)) {
    const expected = referencePredict(anchoredJson, row) - referencePredict(anchoredJson, [0, row[1]])
    const got = predictMlp(anchoredModel, row)
    t.ok(Math.abs(got - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `anchored ${got} vs reference ${expected}`)
    t.equal(predictMlp(anchoredModel, [0, row[1]]), 0, 'exactly 0 at the anchor')
  }
})

t.test('gradient matches central finite differences for every parameter (relative error < 1e-5)', async (t) => {
  const rows = smallData.rows.slice(0, 25)
  const targets = smallData.targets.slice(0, 25)
  for (const [base, l2] of [[smallModel, 0], [smallModel, 0.05], [anchoredModel, 0], [anchoredModel, 0.05]] as const) {
    const model: MlpModel = { ...base, weights: base.weights.slice() }
    const { loss, gradient } = mlpLossAndGradient(model, rows, targets, { l2 })
    // The loss, recomputed from predictMlp: mean(((prediction - y) / targetStd)^2) + l2 * sum(weights^2).
    const layout = mlpLayout(model.layerSizes)
    let penalty = 0
    model.weights.forEach((w, p) => {
      const isBias = (p >= layout.b1 && p < layout.w2) || (p >= layout.b2 && p < layout.w3) || p === layout.b3
      if (!isBias) penalty += w * w
    })
    const expectedLoss = meanSquaredError((row) => predictMlp(model, row), rows, targets) / model.targetStd ** 2 + l2 * penalty
    t.ok(Math.abs(loss - expectedLoss) < 1e-12 * expectedLoss, `l2 = ${l2}: loss ${loss} = recomputed ${expectedLoss} (relative 1e-12)`)

    // Central differences, step 1e-5: truncation ~ 1e-10, rounding ~ 1e-16 / 1e-5 = 1e-11.
    // relative error = |analytic - numeric| / max(|analytic| + |numeric|, 1e-4) (floor for zero gradients).
    const step = 1e-5
    let worst = 0
    let worstIndex = -1
    for (let p = 0; p < model.weights.length; p++) {
      const original = model.weights[p]
      model.weights[p] = original + step
      const up = mlpLossAndGradient(model, rows, targets, { l2 }).loss
      model.weights[p] = original - step
      const down = mlpLossAndGradient(model, rows, targets, { l2 }).loss
      model.weights[p] = original
      const numeric = (up - down) / (2 * step)
      const relative = Math.abs(gradient[p] - numeric) / Math.max(Math.abs(gradient[p]) + Math.abs(numeric), 1e-4)
      if (relative > worst) {
        worst = relative
        worstIndex = p
      }
    }
    t.ok(worst < 1e-5, `l2 = ${l2}: worst relative error ${worst.toExponential(2)} (parameter ${worstIndex} of ${model.weights.length}) < 1e-5`)
    t.ok(gradient.some((g) => Math.abs(g) > 1e-3), 'the gradient is not trivially zero')
  }
})

t.test('beats linear regression on held-out data for y = sqrt(x1) x2 + noise (MSE at most half)', async (t) => {
  const rng = createRng(123)
  const train = sqrtProductData(rng, 1000, 0.05)
  const test = sqrtProductData(rng, 1000, 0.05)
  const mlp = trainMlp(train.rows, train.targets, { seed: 7, learningRate: 3e-3, batchSize: 32 })
  const linear = fitLinearRegression(train.rows, train.targets)
  const mlpMse = meanSquaredError((row) => predictMlp(mlp, row), test.rows, test.targets)
  const linearMse = meanSquaredError((row) => predictLinear(linear, row), test.rows, test.targets)
  // Linear's population MSE: Var(y) - explained = 1/6 - 4/27 + 0.0025 = 0.021; noise floor 0.0025.
  t.ok(mlpMse <= 0.5 * linearMse, `held-out MSE: MLP ${mlpMse.toFixed(5)} <= 0.5 x linear ${linearMse.toFixed(5)}`)
  t.ok(mlpMse < 2 * 0.0025, `MLP held-out MSE ${mlpMse.toFixed(5)} within 2x the noise variance 0.0025`)
  t.ok(mlp.training.epochs <= 200 && mlp.training.bestEpoch <= mlp.training.epochs, 'training record is consistent')
  t.equal(mlp.training.rows, 1000)
})

t.test('the same seed gives bit-identical weights; another seed does not', async (t) => {
  const options = { seed: 11, hidden1: 8, hidden2: 4, maxEpochs: 15 }
  const a = trainMlp(smallData.rows, smallData.targets, options)
  const b = trainMlp(smallData.rows, smallData.targets, options)
  t.ok(sameBits(a.weights, b.weights), 'identical weights')
  t.same(a.training, b.training, 'identical training record')
  const c = trainMlp(smallData.rows, smallData.targets, { ...options, seed: 12 })
  t.notOk(sameBits(a.weights, c.weights), 'seed 12 differs')
})

t.test('early stopping on pure noise stops before maxEpochs and restores the best epoch', async (t) => {
  const rng = createRng(5)
  const rows = Array.from({ length: 300 }, () => [rng.normal(), rng.normal(), rng.normal()])
  const targets = rows.map(() => rng.normal())
  const options = { seed: 9, hidden1: 32, hidden2: 16, learningRate: 1e-3, batchSize: 32, maxEpochs: 200, patience: 10 }
  const stopped = trainMlp(rows, targets, options)
  const { epochs, bestEpoch } = stopped.training
  t.ok(epochs < 200, `stopped at epoch ${epochs} < maxEpochs 200`)
  t.equal(epochs, bestEpoch + 10, 'stopped exactly patience (10) epochs after the best one')
  t.ok(bestEpoch > 1, `best epoch ${bestEpoch} > 1, so restoring is not just keeping the first epoch`)
  // Training is deterministic, so a run that ends at bestEpoch has the weights of that epoch.
  const upToBest = trainMlp(rows, targets, { ...options, maxEpochs: bestEpoch, patience: 1000 })
  t.ok(sameBits(stopped.weights, upToBest.weights), `restored weights are those of epoch ${bestEpoch}`)
  t.equal(stopped.training.validationLoss, upToBest.training.validationLoss, 'and so is the validation loss')
  t.ok(stopped.training.trainLoss < 1.2, 'train loss recorded in target units (noise variance ~1)')
})

t.test('JSON round trip (stringify/parse) gives bit-identical predictions', async (t) => {
  const json = JSON.parse(JSON.stringify(mlpToJson(smallModel))) as unknown
  const loaded = mlpFromJson(json)
  t.ok(sameBits(loaded.weights, smallModel.weights), 'identical weights')
  t.same(mlpToJson(loaded), json, 'identical JSON')
  for (const row of smallData.rows) t.equal(predictMlp(loaded, row), predictMlp(smallModel, row))
})

t.test('mlpFromJson rejects wrong shapes, non-finite numbers and missing fields, naming the field', async (t) => {
  const good = JSON.parse(JSON.stringify(mlpToJson(smallModel))) as Record<string, any>
  const broken = (patch: (j: Record<string, any>) => void): unknown => {
    const copy = structuredClone(good)
    patch(copy)
    return copy
  }
  const cases: Array<[string, (j: Record<string, any>) => void, string, RegExp]> = [
    ['missing layers', (j) => { delete j.layers }, 'TypeError', /layers must be an array/],
    ['two layers', (j) => { j.layers.pop() }, 'RangeError', /layers must have length 3/],
    ['short weight row', (j) => { j.layers[1].weights[2].pop() }, 'RangeError', /layers\[1\]\.weights\[2\] must have length 6/],
    ['missing weight row', (j) => { j.layers[0].weights.pop() }, 'RangeError', /layers\[0\]\.weights must have 6 rows/],
    ['NaN weight', (j) => { j.layers[0].weights[3][1] = Number.NaN }, 'TypeError', /layers\[0\]\.weights\[3\]\[1\] must be a finite number/],
    ['null bias', (j) => { j.layers[2].biases[0] = null }, 'TypeError', /layers\[2\]\.biases\[0\] must be a finite number/],
    ['output size 2', (j) => { j.layerSizes[3] = 2 }, 'RangeError', /layerSizes\[3\] must be 1/],
    ['hidden size 0', (j) => { j.layerSizes[1] = 0 }, 'RangeError', /layerSizes\[1\] must be a positive integer/],
    ['layerSizes vs weights', (j) => { j.layerSizes[2] = 5 }, 'RangeError', /layers\[1\]\.weights must have 5 rows/],
    ['feature names', (j) => { j.featureNames.push('extra') }, 'RangeError', /featureNames must have length 2/],
    ['standardiser mean', (j) => { j.standardiser.mean = [0] }, 'RangeError', /standardiser\.mean must have length 2/],
    ['standardiser std <= 0', (j) => { j.standardiser.std[1] = 0 }, 'RangeError', /standardiser\.std\[1\] must be > 0/],
    ['missing targetStd', (j) => { delete j.targetStd }, 'TypeError', /targetStd must be a finite number/],
    ['targetStd 0', (j) => { j.targetStd = 0 }, 'RangeError', /targetStd must be > 0/],
    ['infinite targetMean', (j) => { j.targetMean = Infinity }, 'TypeError', /targetMean must be a finite number/],
    ['missing training', (j) => { delete j.training }, 'TypeError', /training must be an object/],
    ['bestEpoch > epochs', (j) => { j.training.bestEpoch = j.training.epochs + 1 }, 'RangeError', /training\.bestEpoch/],
    ['wrong kind', (j) => { j.kind = 'linear' }, 'TypeError', /kind must be 'mlp'/]
  ]
  for (const [label, patch, name, message] of cases) {
    t.throws(() => mlpFromJson(broken(patch)), { name, message }, label)
  }
  t.throws(() => mlpFromJson('{}'), { name: 'TypeError', message: /mlpFromJson: model must be an object/ }, 'a string')
})

t.test('trainMlp rejects invalid inputs and options with DomainRangeError naming them', async (t) => {
  const { rows, targets } = smallData
  const cases: Array<[string, () => unknown, string]> = [
    ['NaN feature', () => trainMlp([[1, Number.NaN], [1, 2], [3, 4]], [1, 2, 3], { seed: 1 }), 'rows'],
    ['length mismatch', () => trainMlp(rows, targets.slice(1), { seed: 1 }), 'targets'],
    ['one row', () => trainMlp([[1, 2]], [1], { seed: 1 }), 'rows'],
    ['hidden1 0', () => trainMlp(rows, targets, { seed: 1, hidden1: 0 }), 'options.hidden1'],
    ['hidden2 fractional', () => trainMlp(rows, targets, { seed: 1, hidden2: 2.5 }), 'options.hidden2'],
    ['learningRate <= 0', () => trainMlp(rows, targets, { seed: 1, learningRate: 0 }), 'options.learningRate'],
    ['batchSize 0', () => trainMlp(rows, targets, { seed: 1, batchSize: 0 }), 'options.batchSize'],
    ['patience NaN', () => trainMlp(rows, targets, { seed: 1, patience: Number.NaN }), 'options.patience'],
    ['validationFraction 1', () => trainMlp(rows, targets, { seed: 1, validationFraction: 1 }), 'options.validationFraction'],
    ['empty validation split', () => trainMlp(rows.slice(0, 2), targets.slice(0, 2), { seed: 1 }), 'options.validationFraction'],
    ['negative l2', () => trainMlp(rows, targets, { seed: 1, l2: -1 }), 'options.l2'],
    ['fractional seed', () => trainMlp(rows, targets, { seed: 0.5 }), 'options.seed'],
    ['feature names', () => trainMlp(rows, targets, { seed: 1, featureNames: ['a'] }), 'options.featureNames']
  ]
  for (const [label, run, param] of cases) t.throws(run, { name: 'DomainRangeError', param }, label)
  t.throws(() => mlpLossAndGradient(smallModel, rows, targets, { l2: -1 }), DomainRangeError, 'negative l2 in the loss')
})

t.test('afterEpoch is called once per epoch run and never changes the model', async (t) => {
  const options = { seed: 11, hidden1: 6, hidden2: 4, maxEpochs: 30 }
  let calls = 0
  const paced = trainMlp(smallData.rows, smallData.targets, { ...options, afterEpoch: () => { calls++ } })
  const plain = trainMlp(smallData.rows, smallData.targets, options)
  t.equal(calls, paced.training.epochs, 'one call per epoch')
  t.ok(sameBits(paced.weights, plain.weights), 'bit-identical weights with and without the hook')
})

t.test('issue 14: monotoneInputs makes the network non-decreasing in those inputs, whatever the data say', async (t) => {
  // Data falling in input 0 (y = -x0 + 3 x1^2): an unconstrained net learns the fall; with
  // monotoneInputs [0] every constrained weight is >= 0 (mlp-network.ts) and the output cannot fall in x0.
  const rng = createRng(21)
  const rows = Array.from({ length: 400 }, () => [rng.next() * 2 - 1, rng.next() * 2 - 1])
  const targets = rows.map(([x0, x1]) => -x0 + 3 * x1 * x1)
  const free = trainMlp(rows, targets, { seed: 5, hidden1: 8, hidden2: 4, maxEpochs: 60 })
  const mono = trainMlp(rows, targets, { seed: 5, learningRate: 3e-3, maxEpochs: 200, monotoneInputs: [0] })
  t.same(mono.monotoneInputs, [0])
  t.ok(predictMlp(free, [0.9, 0]) < predictMlp(free, [-0.9, 0]), 'the unconstrained net learns the fall (the check below can fail)')
  const layout = mlpLayout(mono.layerSizes)
  for (const p of monotoneWeightIndices(layout, [0])) t.ok(mono.weights[p] >= 0, `constrained weight ${p} >= 0`)
  // property (fast-check, 300 pairs): x0 <= x0' at the same x1 never lowers the prediction (exact: no tolerance)
  fc.assert(fc.property(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true }), (a, b, x1) => {
    const [lo, hi] = a <= b ? [a, b] : [b, a]
    return predictMlp(mono, [lo, x1]) <= predictMlp(mono, [hi, x1])
  }), { numRuns: 300, seed: 14 })
  // x1 stays free: the constrained net still bends with x1^2 (prediction at x1 = 0.9 above x1 = 0)
  t.ok(predictMlp(mono, [0, 0.9]) > predictMlp(mono, [0, 0]), 'unconstrained input x1 still learnt')
  const json = JSON.parse(JSON.stringify(mlpToJson(mono)))
  t.same(json.monotoneInputs, [0], 'stored with the model')
  t.ok(sameBits(mlpFromJson(json).weights, mono.weights), 'round-trips')
  const [first] = monotoneWeightIndices(layout, [0])
  json.layers[0].weights[Math.floor(first / layout.nIn)][first % layout.nIn] = -0.5
  t.throws(() => mlpFromJson(json), { name: 'RangeError', message: /layers\[0\]\.weights\[0\]\[0\] must be >= 0 \(got -0\.5\): the network is declared monotone in inputs \[0\]/ }, 'a record breaking its own constraint is refused')
  json.layers[0].weights[0][0] = 0.5
  json.monotoneInputs = [2]
  t.throws(() => mlpFromJson(json), { name: 'RangeError', message: /monotoneInputs\[0\] must be a distinct input index in \[0, 1\]/ })
  t.throws(() => trainMlp(rows, targets, { seed: 1, monotoneInputs: [0, 0] }), { name: 'DomainRangeError', param: 'options.monotoneInputs' })
})
