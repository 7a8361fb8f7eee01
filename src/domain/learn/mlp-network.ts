/**
 * The numerical core of the MLP: flat weight layout, forward pass and backpropagation of
 * the mean squared error (Rumelhart, Hinton & Williams 1986, "Learning representations by
 * back-propagating errors"). Works on already standardised inputs and targets held in flat
 * Float64Arrays; `mlp.ts` builds the public API on top.
 *
 * Network: x (nIn) -> ReLU(W1 x + b1) (h1) -> ReLU(W2 a1 + b2) (h2) -> w3 . a2 + b3 (1).
 * Flat layout of every weight and bias (the same for the gradient):
 *   [ W1 (h1 x nIn, row-major: W1[j][i] at w1 + j*nIn + i) | b1 (h1)
 *   | W2 (h2 x h1, row-major) | b2 (h2) | w3 (h2) | b3 (1) ].
 * ReLU'(0) is taken as 0.
 *
 * Monotone inputs: with W1[j][i] >= 0 for every monotone input i, and every W2 and w3 >= 0, the
 * output is non-decreasing in each monotone input (every path from it to the output is a product
 * of non-negative weights through non-decreasing ReLUs; Sill 1998, "Monotonic networks", NIPS 10,
 * and Daniels & Velikova 2010, IEEE TNN 21(6), use the same sign constraint). The other inputs stay free.
 */

/** Offsets of each block in the flat weight array, and its total length. */
export interface MlpLayout {
  nIn: number
  hidden1: number
  hidden2: number
  w1: number
  b1: number
  w2: number
  b2: number
  w3: number
  b3: number
  total: number
}

/**
 * Offsets of W1, b1, W2, b2, w3, b3 in the flat weight array for layer sizes [nIn, h1, h2, 1].
 * @throws RangeError unless the sizes are positive integers ending in 1 (programmer error).
 */
export function mlpLayout (layerSizes: readonly number[]): MlpLayout {
  if (layerSizes.length !== 4 || layerSizes[3] !== 1 || !layerSizes.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new RangeError(`mlpLayout: layerSizes must be [nIn, h1, h2, 1] of positive integers (got [${layerSizes.join(', ')}])`)
  }
  const [nIn, hidden1, hidden2] = layerSizes
  const w1 = 0
  const b1 = w1 + hidden1 * nIn
  const w2 = b1 + hidden1
  const b2 = w2 + hidden2 * hidden1
  const w3 = b2 + hidden2
  const b3 = w3 + hidden2
  return { nIn, hidden1, hidden2, w1, b1, w2, b2, w3, b3, total: b3 + 1 }
}

/** Reusable activation and error buffers for one layout. */
export interface MlpScratch {
  act1: Float64Array
  act2: Float64Array
  delta1: Float64Array
  delta2: Float64Array
  /** the anchor's input and activations (anchored networks) */
  anchorInput: Float64Array
  anchorAct1: Float64Array
  anchorAct2: Float64Array
}

export function createScratch (layout: MlpLayout): MlpScratch {
  return {
    act1: new Float64Array(layout.hidden1),
    act2: new Float64Array(layout.hidden2),
    delta1: new Float64Array(layout.hidden1),
    delta2: new Float64Array(layout.hidden2),
    anchorInput: new Float64Array(layout.nIn),
    anchorAct1: new Float64Array(layout.hidden1),
    anchorAct2: new Float64Array(layout.hidden2)
  }
}

/**
 * An anchored network outputs f(x) - f(x with the anchored inputs set to `values`), so its output
 * is exactly 0 there: with the size inputs anchored at their (standardised) zero, the impact of
 * a zero-size order is 0, and with the monotone constraint it is >= 0 for every size.
 */
export interface MlpAnchor {
  /** input indices replaced in the anchor */
  indices: readonly number[]
  /** their values in the anchor (standardised units), one per index */
  values: readonly number[]
}

/** Copies the input at inputs[offset ..] into `into` with the anchored inputs replaced. */
function anchorOf (anchor: MlpAnchor, nIn: number, inputs: ArrayLike<number>, offset: number, into: Float64Array): Float64Array {
  for (let i = 0; i < nIn; i++) into[i] = inputs[offset + i]
  for (let k = 0; k < anchor.indices.length; k++) into[anchor.indices[k]] = anchor.values[k]
  return into
}

/**
 * The network's output for the input at inputs[offset ..]: forwardPass, minus the anchor's when
 * anchored. Leaves x's activations in scratch.act1/act2 and the anchor's in anchorAct1/anchorAct2.
 */
export function networkOutput (weights: Float64Array, layout: MlpLayout, inputs: ArrayLike<number>, offset: number, scratch: MlpScratch, anchor: MlpAnchor | undefined): number {
  const out = forwardPass(weights, layout, inputs, offset, scratch.act1, scratch.act2)
  if (anchor === undefined) return out
  const x0 = anchorOf(anchor, layout.nIn, inputs, offset, scratch.anchorInput)
  return out - forwardPass(weights, layout, x0, 0, scratch.anchorAct1, scratch.anchorAct2)
}

/**
 * Forward pass for the standardised input at inputs[inputOffset .. inputOffset + nIn).
 * Leaves the hidden activations in act1/act2. @returns the output (standardised target units).
 */
export function forwardPass (weights: Float64Array, layout: MlpLayout, inputs: ArrayLike<number>, inputOffset: number, act1: Float64Array, act2: Float64Array): number {
  const { nIn, hidden1, hidden2, w1, b1, w2, b2, w3, b3 } = layout
  for (let j = 0; j < hidden1; j++) {
    let acc = weights[b1 + j]
    const rowStart = w1 + j * nIn
    for (let i = 0; i < nIn; i++) acc += weights[rowStart + i] * inputs[inputOffset + i]
    act1[j] = acc > 0 ? acc : 0
  }
  let out = weights[b3]
  for (let k = 0; k < hidden2; k++) {
    let acc = weights[b2 + k]
    const rowStart = w2 + k * hidden1
    for (let j = 0; j < hidden1; j++) acc += weights[rowStart + j] * act1[j]
    const act = acc > 0 ? acc : 0
    act2[k] = act
    out += weights[w3 + k] * act
  }
  return out
}

/**
 * Adds `error` times the gradient of the network output (at the input inputs[offset ..], whose
 * activations are act1/act2) to `gradient`.
 */
function backpropagate (weights: Float64Array, layout: MlpLayout, inputs: ArrayLike<number>, offset: number, act1: Float64Array, act2: Float64Array, error: number, gradient: Float64Array, scratch: MlpScratch): void {
  const { nIn, hidden1, hidden2, w1, b1, w2, b2, w3, b3 } = layout
  const { delta1, delta2 } = scratch
  gradient[b3] += error
  for (let k = 0; k < hidden2; k++) {
    gradient[w3 + k] += error * act2[k]
    delta2[k] = act2[k] > 0 ? error * weights[w3 + k] : 0
  }
  delta1.fill(0)
  for (let k = 0; k < hidden2; k++) {
    const d = delta2[k]
    if (d === 0) continue
    gradient[b2 + k] += d
    const rowStart = w2 + k * hidden1
    for (let j = 0; j < hidden1; j++) {
      gradient[rowStart + j] += d * act1[j]
      delta1[j] += d * weights[rowStart + j]
    }
  }
  for (let j = 0; j < hidden1; j++) {
    if (act1[j] <= 0) continue
    const d = delta1[j]
    gradient[b1 + j] += d
    const rowStart = w1 + j * nIn
    for (let i = 0; i < nIn; i++) gradient[rowStart + i] += d * inputs[offset + i]
  }
}

/**
 * Adds, over the samples indices[start..end), the gradient of sum (out - target)^2 / 2 to
 * `gradient` (not zeroed here), out = networkOutput (anchored when `anchor` is given). Inputs are
 * row-major n x nIn, targets standardised.
 * @returns the sum of squared errors over those samples.
 */
export function accumulateBatch (
  weights: Float64Array, layout: MlpLayout, inputs: Float64Array, targets: Float64Array,
  indices: ArrayLike<number>, start: number, end: number, gradient: Float64Array, scratch: MlpScratch, anchor?: MlpAnchor
): number {
  let sumSq = 0
  for (let s = start; s < end; s++) {
    const sample = indices[s]
    const offset = sample * layout.nIn
    const error = networkOutput(weights, layout, inputs, offset, scratch, anchor) - targets[sample]
    sumSq += error * error
    backpropagate(weights, layout, inputs, offset, scratch.act1, scratch.act2, error, gradient, scratch)
    if (anchor !== undefined) backpropagate(weights, layout, scratch.anchorInput, 0, scratch.anchorAct1, scratch.anchorAct2, -error, gradient, scratch)
  }
  return sumSq
}

/** True for indices of weights (W1, W2, w3), false for biases: L2 applies to weights only. */
export function isWeightIndex (layout: MlpLayout, index: number): boolean {
  return index < layout.b1 || (index >= layout.w2 && index < layout.b2) || (index >= layout.w3 && index < layout.b3)
}

/**
 * Turns the accumulated half-gradient of the squared-error sum over `count` samples into the
 * gradient of  loss = SSE / count + l2 * sum(weights^2)  and returns that loss.
 */
export function finishLossAndGradient (weights: Float64Array, layout: MlpLayout, sumSq: number, count: number, l2: number, gradient: Float64Array): number {
  const scale = 2 / count
  let penalty = 0
  for (let p = 0; p < layout.total; p++) {
    gradient[p] *= scale
    if (l2 !== 0 && isWeightIndex(layout, p)) {
      penalty += weights[p] * weights[p]
      gradient[p] += 2 * l2 * weights[p]
    }
  }
  return sumSq / count + l2 * penalty
}

/** Mean squared error (standardised units) over the listed samples, no gradient. */
export function meanSquaredError (weights: Float64Array, layout: MlpLayout, inputs: Float64Array, targets: Float64Array, indices: ArrayLike<number>, scratch: MlpScratch, anchor?: MlpAnchor): number {
  let sumSq = 0
  for (let s = 0; s < indices.length; s++) {
    const sample = indices[s]
    const error = networkOutput(weights, layout, inputs, sample * layout.nIn, scratch, anchor) - targets[sample]
    sumSq += error * error
  }
  return sumSq / indices.length
}

/** Every weight index the monotone constraint keeps >= 0: W1 columns of the monotone inputs, all of W2 and w3 (none without monotone inputs). */
export function monotoneWeightIndices (layout: MlpLayout, monotoneInputs: readonly number[]): number[] {
  if (monotoneInputs.length === 0) return []
  const indices: number[] = []
  for (let j = 0; j < layout.hidden1; j++) for (const i of monotoneInputs) indices.push(layout.w1 + j * layout.nIn + i)
  for (let p = layout.w2; p < layout.b2; p++) indices.push(p)
  for (let p = layout.w3; p < layout.b3; p++) indices.push(p)
  return indices
}
