/**
 * The trained MLP as data: what training (mlp.ts) produces and the JSON form (mlp-json.ts) stores.
 * Declared apart from both so that neither imports the other.
 */
import type { Standardiser } from './standardiser.js'

export interface MlpTrainingInfo {
  /** epochs run (<= maxEpochs) */
  epochs: number
  /** 1-based epoch whose weights were kept (lowest validation MSE) */
  bestEpoch: number
  /** MSE on the training split at bestEpoch, in target units squared (no L2 term) */
  trainLoss: number
  /** MSE on the validation split at bestEpoch, in target units squared */
  validationLoss: number
  seed: number
  /** all rows given (training + validation) */
  rows: number
}

export interface MlpModel {
  kind: 'mlp'
  featureNames: string[]
  layerSizes: [number, number, number, 1]
  /** input indices the output is non-decreasing in, by the sign constraint of mlp-network.ts (empty: none) */
  monotoneInputs: number[]
  /** input indices at whose raw 0 the output is anchored to exactly 0 (mlp.ts step 4c; empty: none) */
  anchoredInputs: number[]
  /** every weight and bias, flat, in the layout of `mlpLayout(layerSizes)` */
  weights: Float64Array
  standardiser: Standardiser
  /** prediction = targetMean + targetStd * network output (targetMean 0 when anchored) */
  targetMean: number
  targetStd: number
  training: MlpTrainingInfo
}
