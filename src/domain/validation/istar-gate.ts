/**
 * The publication gate of the execution model (issue 13): I-Star fitted on signed-flow windows of
 * several lengths against the horizon-free square-root law, both judged out of sample on later
 * whole UTC days, per window length and pooled, against the model being served and against zero.
 *
 * Split (Bailey & Lopez de Prado 2018, ch. 7, purging and embargo, as walk-forward.ts): the
 * windows' UTC days in order; the last max(1, round(testFraction * days)) days are the test
 * days, and a window trains only if it ENDS at least gapMs before the first test day's midnight.
 *
 * Scores use the weights of calibrate-istar.ts (lengthWeights on the test windows,
 * w_i = 1 / (L n_l m_l), m_l the length's mean squared signed return): every length holds the same
 * share of the weighted sum of squares however many windows it has and however variable its
 * returns, so pooled weighted SSE = mean over lengths of the length's mean squared error relative
 * to m_l (zero scores 1), and R^2 = 1 - SSE / SST around the weighted mean (outOfSampleR2).
 *
 * "Significantly better" (Diebold & Mariano 1995, "Comparing predictive accuracy", J. Business &
 * Economic Statistics 13(3)): the pooled weighted SSE difference D = SSE_b - SSE_a of a over b is a
 * sum of per-window loss differences; its standard error is clustered by time blocks as long as
 * the longest window (windows of all lengths nested in one block move together), and a is
 * significantly better when z = D / SE(D) > ISTAR_GATE_Z (one-sided 5 %).
 *
 * Rule (every step reported in `reasons`):
 * 1. Enough data: at least minDays (3) days, at least 2 training days after the embargo, and
 *    every window length with both training and test windows; else "insufficient data".
 * 2. The winner: I-Star if it is significantly better than the square-root law out of sample,
 *    else the square-root law (the simpler model wins ties). A fit that throws is out.
 * 3. Published only if the winner's pooled OOS SSE is below zero's (strictly) and the winner is
 *    significantly better than the served model, so that rerunning on nearly the same data
 *    (or refitting the truth) does not churn the model. Per-length wins are reported, not required.
 * Pure; O(windows x iterations) (two Levenberg-Marquardt fits).
 */
import { DomainRangeError } from '../errors.js'
import { calibrateIStar, fitSquareRootLaw, lengthWeights, windowImpact, type IStarCalibration, type ParamCovariance, type TimedIStarWindow, ISTAR_PARAM_ORDER } from '../impact/calibrate-istar.js'
import { validateIStarParams, type IStarParams } from '../impact/istar.js'
import { DEFAULT_TEST_FRACTION } from './walk-forward.js'

export type IStarForm = 'i-star' | 'square-root-law'
/** The models the gate scores: the two fits, the served model and the zero prediction. */
export const ISTAR_GATE_MODELS = ['istar', 'squareRootLaw', 'published', 'zero'] as const
export type IStarGateModel = typeof ISTAR_GATE_MODELS[number]

export interface IStarGateOptions {
  /** embargo, ms: a training window ends at least gapMs before the first test day starts; >= 0 */
  gapMs: number
  /** share of the days that are tested, in (0, 1); default 0.3 (walk-forward.ts) */
  testFraction?: number
  /** fewest distinct UTC days, >= 3 (2 to train, 1 to test); default 3 */
  minDays?: number
  /** z a model must exceed to count as significantly better; default ISTAR_GATE_Z */
  minZ?: number
  /** Levenberg-Marquardt iteration cap per start (calibrate-istar.ts); default 500 */
  maxIterations?: number
}

/** One-sided 5 % critical value of the standard normal: the Diebold-Mariano z a model must exceed. */
export const ISTAR_GATE_Z = 1.645
export const ISTAR_MIN_DAYS = 3

/**
 * Out-of-sample weighted SSE and R^2 of each scored model (absent where a fit failed): pooled, the
 * lengthWeights SSE (zero scores 1); per length, MSE / mean squared signed return of that length.
 */
export type IStarScores = Partial<Record<IStarGateModel, { weightedSse: number, r2: number }>>

export interface IStarLengthScores {
  lengthMinutes: number
  trainWindows: number
  testWindows: number
  scores: IStarScores
}

export interface IStarGateSplit {
  trainDays: string[]
  testDays: string[]
  /** first test day's UTC midnight; training windows end by testFromMs - gapMs */
  testFromMs: number
  trainWindows: number
  testWindows: number
  /** windows in neither set (the embargo) */
  embargoedWindows: number
  /** volDaily of the training windows (the fitted model's validity) */
  trainVolDailyRange?: { min: number, max: number }
}

export interface IStarGateVerdict {
  status: 'publish' | 'keep' | 'insufficient data'
  publish: boolean
  /** the better of the two fits (rule 2); absent when there was not enough data or no fit */
  form?: IStarForm
  /** every rule's outcome, in order */
  reasons: string[]
  split?: IStarGateSplit
  /** per length (ascending) and pooled; R^2 NaN where the test returns do not vary */
  validation?: {
    perLength: IStarLengthScores[]
    pooled: IStarScores
    /** lengths on which the winner's MSE is strictly below each benchmark's */
    winnerLengthWins?: { vsOtherFit?: number, vsPublished: number, vsZero: number, lengths: number }
    /** Diebold-Mariano z of I-Star over the square-root law, and of the winner over the published model */
    zIStarOverSquareRootLaw?: number
    zWinnerOverPublished?: number
    /** time blocks (as long as the longest window) the z are clustered by */
    blocks: number
  }
  /** the winner's training fit, when there is a winner */
  calibration?: IStarCalibration
  /** why a fit failed, by model */
  failures: Partial<Record<'istar' | 'squareRootLaw', string>>
}

function dayStartMs (dayKey: string): number {
  return Date.parse(`${dayKey}T00:00:00.000Z`)
}

function fmt (x: number): string {
  if (!Number.isFinite(x)) return String(x)
  return x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(3) : Number(x.toPrecision(4)).toString()
}

/**
 * Weighted SSE and R^2 of predictions with the weights w of calibrate-istar.ts (lengthWeights on
 * the scored windows): pooled SSE = sum_i w_i (y_i - p_i)^2 and R^2 = 1 - SSE / SST around the
 * weighted mean sum w y / sum w (outOfSampleR2); per length, weightedSse = L sum_{i in l} w_i (y_i - p_i)^2 =
 * MSE_l / m_l (NaN when m_l = 0) so that the pooled SSE is their mean, and R^2 about the length's mean.
 */
function score (windows: readonly TimedIStarWindow[], predictions: Float64Array, byLength: Map<number, number[]>, weight: Float64Array): { pooled: { weightedSse: number, r2: number }, perLength: Map<number, { weightedSse: number, r2: number }> } {
  let scaledLengths = 0
  for (const rows of byLength.values()) if (rows.some((i) => weight[i] > 0)) scaledLengths++
  let weighted = 0; let weightSum = 0
  for (let i = 0; i < windows.length; i++) { weighted += weight[i] * windows[i].signedReturn; weightSum += weight[i] }
  const mean = weighted / weightSum
  let sse = 0; let sst = 0
  const perLength = new Map<number, { weightedSse: number, r2: number }>()
  for (const [length, rows] of byLength) {
    let lengthMean = 0
    for (const i of rows) lengthMean += windows[i].signedReturn / rows.length
    let lengthSse = 0; let lengthMse = 0; let lengthSst = 0
    for (const i of rows) {
      const y = windows[i].signedReturn
      lengthSse += weight[i] * (y - predictions[i]) ** 2
      lengthMse += (y - predictions[i]) ** 2 / rows.length
      lengthSst += (y - lengthMean) ** 2 / rows.length
      sst += weight[i] * (y - mean) ** 2
    }
    sse += lengthSse
    perLength.set(length, { weightedSse: rows.some((i) => weight[i] > 0) ? scaledLengths * lengthSse : NaN, r2: lengthSst > 0 ? 1 - lengthMse / lengthSst : NaN })
  }
  return { pooled: { weightedSse: sse, r2: sst > 0 ? 1 - sse / sst : NaN }, perLength }
}

function groupByLength (windows: readonly TimedIStarWindow[]): Map<number, number[]> {
  const out = new Map<number, number[]>()
  windows.forEach((w, i) => {
    const rows = out.get(w.lengthMinutes)
    if (rows === undefined) out.set(w.lengthMinutes, [i])
    else rows.push(i)
  })
  return new Map([...out.entries()].sort((a, b) => a[0] - b[0]))
}

/**
 * Diebold-Mariano z of model a over model b: D = sum_i w_i ((y_i - b_i)^2 - (y_i - a_i)^2) (the
 * pooled weighted SSE difference), SE(D) clustered by block (CR1 without small-sample factor
 * beyond G/(G-1)); NaN when SE(D) = 0 (identical predictions).
 */
function dieboldMarianoZ (windows: readonly TimedIStarWindow[], a: Float64Array, b: Float64Array, weight: Float64Array, block: Int32Array, blockCount: number): number {
  const sums = new Float64Array(blockCount)
  let total = 0
  for (let i = 0; i < windows.length; i++) {
    const y = windows[i].signedReturn
    const d = weight[i] * ((y - b[i]) ** 2 - (y - a[i]) ** 2)
    sums[block[i]] += d
    total += d
  }
  if (blockCount < 2) return NaN
  const meanBlock = total / blockCount
  let variance = 0
  for (const s of sums) variance += (s - meanBlock) ** 2
  variance *= blockCount / (blockCount - 1)
  return variance > 0 ? total / Math.sqrt(variance) : NaN
}

function checkOptions (fn: string, options: IStarGateOptions): { gapMs: number, testFraction: number, minDays: number, minZ: number, maxIterations?: number } {
  const testFraction = options.testFraction ?? DEFAULT_TEST_FRACTION
  const minDays = options.minDays ?? ISTAR_MIN_DAYS
  const minZ = options.minZ ?? ISTAR_GATE_Z
  if (!(options.gapMs >= 0 && options.gapMs < Infinity)) throw new DomainRangeError(`${fn}: gapMs must be finite and >= 0 (got ${options.gapMs})`, 'gapMs', 'finite, >= 0')
  if (!(testFraction > 0 && testFraction < 1)) throw new DomainRangeError(`${fn}: testFraction must be in (0, 1) (got ${testFraction})`, 'testFraction', 'in (0, 1)')
  if (!(Number.isInteger(minDays) && minDays >= 3)) throw new DomainRangeError(`${fn}: minDays must be an integer >= 3 (got ${minDays})`, 'minDays', 'integer >= 3')
  if (!Number.isFinite(minZ)) throw new DomainRangeError(`${fn}: minZ must be finite (got ${minZ})`, 'minZ', 'finite')
  return { gapMs: options.gapMs, testFraction, minDays, minZ, ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}) }
}

type FitName = 'istar' | 'squareRootLaw'

/**
 * Splits by whole UTC days, fits I-Star and the square-root law on the training windows, scores
 * them, the served model and zero on the test windows, and decides by the rule in the file header.
 * @param windows windows of every length with their start times (buildIStarWindows), any order
 * @param published the I-Star parameters being served now (validateIStarParams holds)
 * @throws DomainRangeError naming 'gapMs', 'testFraction', 'minDays', 'minZ', 'windows[i].startMs'
 *   or a window field (calibrate-istar.ts); DomainRangeError from validateIStarParams for bad
 *   `published`. Too little data never throws: it is "insufficient data".
 * @example gateIStar(buildIStarWindows(bars), published, { gapMs: 3_600_000 }).status // 'keep'
 */
export function gateIStar (windows: readonly TimedIStarWindow[], published: IStarParams, options: IStarGateOptions): IStarGateVerdict {
  const fn = 'gateIStar'
  const o = checkOptions(fn, options)
  validateIStarParams(published, fn)
  const failures: IStarGateVerdict['failures'] = {}
  const insufficient = (reason: string, split?: IStarGateSplit): IStarGateVerdict =>
    ({ status: 'insufficient data', publish: false, reasons: [reason], ...(split !== undefined ? { split } : {}), failures })
  if (!Array.isArray(windows)) throw new TypeError(`${fn}: windows must be an array of TimedIStarWindow`)
  windows.forEach((w, i) => {
    if (!Number.isFinite(w?.startMs)) throw new DomainRangeError(`${fn}: windows[${i}].startMs must be finite (got ${w?.startMs})`, `windows[${i}].startMs`, 'finite')
  })
  const days = [...new Set(windows.map((w) => w.dayKey))].sort()
  if (days.length < o.minDays) return insufficient(`insufficient data: ${days.length} UTC day(s) of windows, need ${o.minDays}`)

  const testDays = days.slice(days.length - Math.max(1, Math.round(o.testFraction * days.length)))
  const testFromMs = dayStartMs(testDays[0])
  const test = windows.filter((w) => w.startMs >= testFromMs)
  const train = windows.filter((w) => w.startMs + w.lengthMinutes * 60_000 <= testFromMs - o.gapMs)
  const trainDays = [...new Set(train.map((w) => w.dayKey))].sort()
  const split: IStarGateSplit = { trainDays, testDays, testFromMs, trainWindows: train.length, testWindows: test.length, embargoedWindows: windows.length - train.length - test.length }
  if (train.length > 0) split.trainVolDailyRange = { min: Math.min(...train.map((w) => w.volDaily)), max: Math.max(...train.map((w) => w.volDaily)) }
  if (trainDays.length < 2) return insufficient(`insufficient data: ${trainDays.length} training day(s) after the ${o.gapMs / 60_000}-minute embargo, need 2`, split)
  const trainByLength = groupByLength(train)
  const testByLength = groupByLength(test)
  const lengths = [...new Set(windows.map((w) => w.lengthMinutes))].sort((a, b) => a - b)
  const missing = lengths.filter((k) => !trainByLength.has(k) || !testByLength.has(k))
  if (missing.length > 0) return insufficient(`insufficient data: no ${missing.map((k) => `${k}-minute`).join(', ')} window in the training or the test days`, split)

  if (test.every((w) => w.signedReturn === 0)) return insufficient('insufficient data: every test window\'s signed return is 0, so no length can be scored', split)
  // the score and Diebold-Mariano weights (lengthWeights on the test windows)
  const weight = lengthWeights(test.map((w) => w.lengthMinutes), test.map((w) => w.signedReturn), fn)

  const fits: Partial<Record<FitName, IStarCalibration>> = {}
  const fitOptions = o.maxIterations !== undefined ? { maxIterations: o.maxIterations } : {}
  for (const [name, fit] of [['istar', calibrateIStar], ['squareRootLaw', fitSquareRootLaw]] as const) {
    try {
      fits[name] = fit(train, fitOptions)
    } catch (err) {
      failures[name] = err instanceof Error ? err.message : String(err)
    }
  }
  const paramsOf: Partial<Record<IStarGateModel, IStarParams>> = { published, zero: undefined }
  if (fits.istar !== undefined) paramsOf.istar = fits.istar.params
  if (fits.squareRootLaw !== undefined) paramsOf.squareRootLaw = fits.squareRootLaw.params
  const predictions: Partial<Record<IStarGateModel, Float64Array>> = {}
  const pooled: IStarScores = {}
  const perLength: IStarLengthScores[] = lengths.map((lengthMinutes) => ({ lengthMinutes, trainWindows: trainByLength.get(lengthMinutes)?.length ?? 0, testWindows: testByLength.get(lengthMinutes)?.length ?? 0, scores: {} }))
  for (const model of ISTAR_GATE_MODELS) {
    const params = paramsOf[model]
    if (model !== 'zero' && params === undefined) continue
    const values = new Float64Array(test.length)
    if (params !== undefined) test.forEach((w, i) => { values[i] = windowImpact(params, w) })
    if (!values.every(Number.isFinite)) {
      if (model === 'published') throw new DomainRangeError(`${fn}: the published model gives non-finite predictions`, 'published', 'finite predictions')
      failures[model as FitName] = 'non-finite predictions on the test windows'
      continue
    }
    predictions[model] = values
    const s = score(test, values, testByLength, weight)
    pooled[model] = s.pooled
    for (const row of perLength) row.scores[model] = s.perLength.get(row.lengthMinutes) as { weightedSse: number, r2: number }
  }

  // blocks of the Diebold-Mariano z, as long as the longest window
  const blockMs = lengths[lengths.length - 1] * 60_000
  const blockIds = new Map<number, number>()
  const block = Int32Array.from(test, (w) => {
    const key = Math.floor(w.startMs / blockMs)
    if (!blockIds.has(key)) blockIds.set(key, blockIds.size)
    return blockIds.get(key) as number
  })
  const zOf = (a: IStarGateModel, b: IStarGateModel): number => dieboldMarianoZ(test, predictions[a] as Float64Array, predictions[b] as Float64Array, weight, block, blockIds.size)

  const reasons: string[] = []
  const sse = (m: IStarGateModel): number => pooled[m]?.weightedSse ?? NaN
  const validation: NonNullable<IStarGateVerdict['validation']> = { perLength, pooled, blocks: blockIds.size }
  let winner: FitName
  if (predictions.istar === undefined && predictions.squareRootLaw === undefined) {
    return { status: 'keep', publish: false, reasons: [`no fit: I-Star ${failures.istar ?? '?'}; square-root law ${failures.squareRootLaw ?? '?'}`], split, validation, failures }
  } else if (predictions.squareRootLaw === undefined) {
    winner = 'istar'
    reasons.push(`I-Star wins: the square-root law fit failed (${failures.squareRootLaw ?? '?'})`)
  } else if (predictions.istar === undefined) {
    winner = 'squareRootLaw'
    reasons.push(`the square-root law wins: the I-Star fit failed (${failures.istar ?? '?'})`)
  } else {
    const z = zOf('istar', 'squareRootLaw')
    validation.zIStarOverSquareRootLaw = z
    const text = `pooled weighted SSE ${fmt(sse('istar'))} vs ${fmt(sse('squareRootLaw'))}, z ${fmt(z)}`
    winner = z > o.minZ ? 'istar' : 'squareRootLaw'
    reasons.push(winner === 'istar'
      ? `I-Star is significantly better than the square-root law out of sample: ${text} > ${o.minZ}`
      : `the square-root law wins or ties: I-Star is not significantly better (${text}, needs > ${o.minZ})`)
  }
  const other: FitName = winner === 'istar' ? 'squareRootLaw' : 'istar'
  const winsOver = (benchmark: IStarGateModel): number => perLength.filter((row) => (row.scores[winner]?.weightedSse ?? NaN) < (row.scores[benchmark]?.weightedSse ?? NaN)).length
  validation.winnerLengthWins = { ...(pooled[other] !== undefined ? { vsOtherFit: winsOver(other) } : {}), vsPublished: winsOver('published'), vsZero: winsOver('zero'), lengths: lengths.length }
  const form: IStarForm = winner === 'istar' ? 'i-star' : 'square-root-law'
  const zPublished = zOf(winner, 'published')
  validation.zWinnerOverPublished = zPublished
  const beatsZero = sse(winner) < sse('zero')
  const beatsPublished = zPublished > o.minZ
  const r2Text = `out-of-sample R^2 ${fmt(pooled[winner]?.r2 ?? NaN)}`
  reasons.push(beatsZero
    ? `beats zero pooled: ${fmt(sse(winner))} vs ${fmt(sse('zero'))} (${r2Text}), on ${validation.winnerLengthWins.vsZero} of ${lengths.length} lengths`
    : `does not beat zero pooled: ${fmt(sse(winner))} vs ${fmt(sse('zero'))} (${r2Text})`)
  const publishedText = `pooled ${fmt(sse(winner))} vs ${fmt(sse('published'))}, z ${fmt(zPublished)}`
  reasons.push(beatsPublished
    ? `significantly better than the published model: ${publishedText} > ${o.minZ}, on ${validation.winnerLengthWins.vsPublished} of ${lengths.length} lengths`
    : `not significantly better than the published model (${publishedText}, needs > ${o.minZ}); better on ${validation.winnerLengthWins.vsPublished} of ${lengths.length} lengths`)
  const publish = beatsZero && beatsPublished
  return { status: publish ? 'publish' : 'keep', publish, form, reasons, split, validation, calibration: fits[winner], failures }
}

/**
 * The covariance of the fitted, identified parameters only, with no NaN: fixed parameters (rows
 * of 0) and unidentified ones (rows of NaN, calibrate-istar.ts) are left out and named.
 */
export function identifiedCovariance (covariance: ParamCovariance, fitted: readonly string[]): { names: string[], matrix: number[][], stdErr: Record<string, number>, leftOut: { fixed: string[], unidentified: string[] } } {
  const keep = ISTAR_PARAM_ORDER.map((name, j) => ({ name, j })).filter(({ name, j }) =>
    fitted.includes(name) && !covariance.unidentified.includes(name) && Number.isFinite(covariance.covariance[j][j]))
  const keptNames = keep.map((k) => k.name)
  return {
    names: keptNames,
    matrix: keep.map(({ j }) => keep.map(({ j: l }) => covariance.covariance[j][l])),
    stdErr: Object.fromEntries(keep.map(({ name }) => [name, covariance.stdErrors[name]])),
    leftOut: {
      fixed: ISTAR_PARAM_ORDER.filter((name) => !fitted.includes(name)),
      unidentified: ISTAR_PARAM_ORDER.filter((name) => fitted.includes(name) && !keptNames.includes(name))
    }
  }
}
