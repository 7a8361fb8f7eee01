import { failRange, requireNumber, requirePositive } from '../guards.js'
import { createRng } from '../learn/rng.js'
import { instantaneousImpact, marketImpact, type IStarParams } from './istar.js'
import { levenbergMarquardt, type Box, type FitData, type LeastSquaresResult } from './istar-least-squares.js'
import { clusteredCovariance, deltaMethodStdErr, drawsCovariance, ISTAR_PARAM_ORDER, sampleStdDev, speedEffectWithGradient, type IStarParamName, type ParamCovariance } from './istar-covariance.js'

export { ISTAR_PARAM_ORDER, type IStarParamName, type ParamCovariance }

/** One window of signed flow (issue 13 section 1). */
export interface IStarWindow {
  /** UTC day of the window, the cluster for standard errors and the bootstrap block */
  dayKey: string
  lengthMinutes: number
  /** |Q| / ADV of the window's net signed taker flow Q, > 0 */
  sizeFractionOfAdv: number
  /** |Q| / (window volume), in (0, 1] */
  pov: number
  /** sigma, daily volatility fraction, > 0 */
  volDaily: number
  /** end-of-window return times sign(Q), a fraction */
  signedReturn: number
}

/** A window with its start time (buildIStarWindows gives these), for splitting by time. */
export type TimedIStarWindow = IStarWindow & {
  /** open time of the window's first bar, ms since the epoch; the window ends lengthMinutes later */
  startMs: number
}

export interface IStarCalibration {
  params: IStarParams
  /** parameters the fit moved (the others were held at their given values) */
  fitted: IStarParamName[]
  /** day-clustered sandwich covariance (CR1), always present */
  clustered: ParamCovariance
  /** day-block bootstrap covariance, when options.bootstrap was given */
  bootstrap?: ParamCovariance & { replicates: number, failedReplicates: number }
  /** fitted parameters that ended on a bound of the box (their SE is not asymptotically normal) */
  atBound: IStarParamName[]
  /**
   * The speed effect R = MI(povHigh) / MI(povLow) - 1 between the 10th and 90th percentiles of
   * the windows' POV (order statistics floor(0.1 (n-1)) and ceil(0.9 (n-1)), unweighted;
   * speedEffectWithGradient in istar-covariance.ts), its standard error (SD of
   * R over the bootstrap replicates when the bootstrap ran, else delta method on the clustered
   * covariance) and z = R / SE (NaN when R is not identified).
   */
  speedEffect: { povLow: number, povHigh: number, ratio: number, stdErr: number, z: number }
  /** speedEffect.z > RATE_TERM_Z: the rate part (b1 > 0 and a4 > 0) can be told from zero */
  rateTermDistinguishable: boolean
  windowsPerLength: Array<{ lengthMinutes: number, windows: number }>
  days: number
  sizeFractionOfAdvRange: { min: number, max: number }
  povRange: { min: number, max: number }
  /**
   * sum_i w_i (y_i - MI_i)^2 with the lengthWeights: the mean over lengths of each length's mean
   * squared error relative to its mean squared signed return (the zero prediction scores 1)
   */
  weightedSse: number
  iterations: number
  converged: boolean
}

export interface IStarFitOptions {
  /** day-block bootstrap: days drawn with replacement, refitted `replicates` times (>= 10) */
  bootstrap?: { replicates: number, seed: number }
  /** Levenberg-Marquardt iteration cap per start, default 500 */
  maxIterations?: number
}

/** One-sided z above which the speed effect counts as distinguishable from zero (about 2.5 %). */
export const RATE_TERM_Z = 1.96
/** Search box: a1 and a2 strictly positive, a4 capped (p^a4 is flat in a4 beyond it for p < 0.9). */
export const ISTAR_FIT_BOX: Box = { lower: [1e-12, 1e-6, 0, 0], upper: [Infinity, 2, 10, 1] }

interface Prepared { data: FitData, dayIndex: Int32Array, lengthIndex: Int32Array, dayCount: number, lengthCount: number }

function prepare (fn: string, windows: readonly IStarWindow[]): Prepared & { lengths: number[] } {
  if (!Array.isArray(windows) || windows.length === 0) failRange(fn, 'windows', 'a non-empty array', windows)
  const n = windows.length
  const data: FitData = { logSize: new Float64Array(n), logPov: new Float64Array(n), volDaily: new Float64Array(n), target: new Float64Array(n), weight: new Float64Array(n) }
  const dayIndex = new Int32Array(n)
  const lengthIndex = new Int32Array(n)
  const days = new Map<string, number>()
  const lengths = new Map<number, number>()
  windows.forEach((w, i) => {
    const at = `windows[${i}]`
    if (typeof w?.dayKey !== 'string' || w.dayKey === '') failRange(fn, `${at}.dayKey`, 'a non-empty string', w?.dayKey)
    requirePositive(fn, `${at}.lengthMinutes`, w.lengthMinutes)
    requirePositive(fn, `${at}.sizeFractionOfAdv`, w.sizeFractionOfAdv)
    requireNumber(fn, `${at}.pov`, w.pov, w.pov > 0 && w.pov <= 1, 'in (0, 1]')
    requirePositive(fn, `${at}.volDaily`, w.volDaily)
    requireNumber(fn, `${at}.signedReturn`, w.signedReturn, true, 'finite')
    if (!days.has(w.dayKey)) days.set(w.dayKey, days.size)
    if (!lengths.has(w.lengthMinutes)) lengths.set(w.lengthMinutes, lengths.size)
    data.logSize[i] = Math.log(w.sizeFractionOfAdv)
    data.logPov[i] = Math.log(w.pov)
    data.volDaily[i] = w.volDaily
    data.target[i] = w.signedReturn
    dayIndex[i] = days.get(w.dayKey) as number
    lengthIndex[i] = lengths.get(w.lengthMinutes) as number
  })
  data.weight = lengthWeights(lengthIndex, data.target, fn)
  return { data, dayIndex, lengthIndex, dayCount: days.size, lengthCount: lengths.size, lengths: [...lengths.keys()] }
}

/**
 * Equal-contribution weights of windows grouped by length (issue 13: "weight the window lengths
 * so that none dominates"):
 *   w_i = 1 / (L * n_l * m_l),  l = length of window i,
 * n_l the number of windows of length l in the set, m_l = (1/n_l) sum_{j in l} y_j^2 their mean
 * squared signed return, L the number of lengths with m_l > 0. Then
 *   sum_i w_i (y_i - p_i)^2 = (1/L) sum_l MSE_l / m_l,
 * the mean over lengths of each length's mean squared error relative to its own mean square (the
 * zero prediction scores 1 on every length and pooled; the weights do not sum to 1, so a weighted
 * mean is sum w y / sum w), and sum_{i in l} w_i y_i^2 = 1/L for every
 * length: each length holds the same share of the weighted sum of squares whatever its returns'
 * variance or its number of windows (so 240-minute returns, about 240 times as variable as
 * 1-minute ones, do not outweigh them, and neither do the many 1-minute windows). Around the
 * weighted mean the shares are 1/L up to that mean's square, so the pooled R^2 is close to the
 * mean of the per-length R^2. The set is the one being fitted, resampled or scored.
 * A length whose signed returns are all 0 (m_l = 0) has no scale: its windows get weight 0 and L
 * leaves it out.
 * @param lengths each window's length (or any key grouping the windows by length)
 * @param signedReturns each window's signed return, finite
 * @throws DomainRangeError naming 'windows' when the arrays differ in size or every signed return is 0
 */
export function lengthWeights (lengths: ArrayLike<number>, signedReturns: ArrayLike<number>, fn = 'lengthWeights'): Float64Array {
  const n = lengths.length
  if (signedReturns.length !== n) failRange(fn, 'windows', 'as many signed returns as lengths', `${signedReturns.length} and ${n}`)
  const counts = new Map<number, number>()
  const squares = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    counts.set(lengths[i], (counts.get(lengths[i]) ?? 0) + 1)
    squares.set(lengths[i], (squares.get(lengths[i]) ?? 0) + signedReturns[i] ** 2)
  }
  // n_l m_l = sum of squares of the length
  const scaled = [...squares.values()].filter((sum) => sum > 0).length
  if (scaled === 0) failRange(fn, 'windows', 'windows with at least one signed return that is not 0', n === 0 ? 'no window' : 'every signed return 0')
  const weight = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const sum = squares.get(lengths[i]) as number
    weight[i] = sum > 0 ? 1 / (scaled * sum) : 0
  }
  return weight
}

/** Closed-form least-squares a1 for the other parameters fixed (f is linear in a1). */
function startA1 (theta: readonly number[], data: FitData): number {
  let num = 0; let den = 0
  for (let i = 0; i < data.target.length; i++) {
    const h = data.volDaily[i] * Math.exp(theta[1] * data.logSize[i]) * (1 - theta[3] + theta[3] * Math.exp(theta[2] * data.logPov[i]))
    num += data.weight[i] * data.target[i] * h
    den += data.weight[i] * h * h
  }
  return num > 0 && den > 0 ? num / den : 1e-6
}

function fitFromStarts (data: FitData, starts: ReadonlyArray<readonly number[]>, free: readonly boolean[], maxIterations: number): LeastSquaresResult {
  let best: LeastSquaresResult | undefined
  for (const start of starts) {
    const theta = [...start]
    if (free[0]) theta[0] = startA1(theta, data)
    const result = levenbergMarquardt(data, theta, free, ISTAR_FIT_BOX, maxIterations)
    if (best === undefined || result.weightedSse < best.weightedSse) best = result
  }
  return best as LeastSquaresResult
}

function toParams (theta: readonly number[]): IStarParams {
  return { a1: theta[0], a2: theta[1], a4: theta[2], b1: theta[3] }
}

function range (values: readonly number[]): { min: number, max: number } {
  let min = Infinity; let max = -Infinity
  for (const v of values) { if (v < min) min = v; if (v > max) max = v }
  return { min, max }
}

/**
 * Gathers the windows of the drawn days (a day drawn twice counts twice) and reweights them;
 * undefined (a failed replicate) when every drawn signed return is 0.
 */
function resample (fn: string, prep: Prepared, byDay: number[][], drawnDays: readonly number[]): FitData | undefined {
  const rows = drawnDays.flatMap((d) => byDay[d])
  const pick = (src: Float64Array): Float64Array => Float64Array.from(rows, (i) => src[i])
  const lengthIndex = Int32Array.from(rows, (i) => prep.lengthIndex[i])
  const target = pick(prep.data.target)
  if (target.every((y) => y === 0)) return undefined
  // the drawn days' own m_l and n_l (a day drawn twice counts twice)
  return { logSize: pick(prep.data.logSize), logPov: pick(prep.data.logPov), volDaily: pick(prep.data.volDaily), target, weight: lengthWeights(lengthIndex, target, fn) }
}

function calibrate (fn: string, windows: readonly IStarWindow[], starts: ReadonlyArray<readonly number[]>, free: readonly boolean[], options: IStarFitOptions): IStarCalibration {
  const prep = prepare(fn, windows)
  const maxIterations = options.maxIterations ?? 500
  requireNumber(fn, 'options.maxIterations', maxIterations, Number.isInteger(maxIterations) && maxIterations >= 1, 'an integer >= 1')
  const freeCount = free.filter(Boolean).length
  if (prep.dayCount < 2) failRange(fn, 'windows', 'from at least 2 days', `${prep.dayCount} day`)
  if (windows.length <= freeCount) failRange(fn, 'windows', `more than ${freeCount} windows`, windows.length)
  const fit = fitFromStarts(prep.data, starts, free, maxIterations)
  const sortedPovs = windows.map((w) => w.pov).sort((x, y) => x - y)
  const povLow = sortedPovs[Math.floor(0.1 * (sortedPovs.length - 1))]
  const povHigh = sortedPovs[Math.ceil(0.9 * (sortedPovs.length - 1))]
  let speedStdErr = NaN
  const clustered = clusteredCovariance(fit.theta, prep.data, prep.dayIndex, prep.dayCount, free)
  let bootstrap: IStarCalibration['bootstrap']
  if (options.bootstrap !== undefined) {
    const { replicates, seed } = options.bootstrap
    requireNumber(fn, 'options.bootstrap.replicates', replicates, Number.isInteger(replicates) && replicates >= 10, 'an integer >= 10')
    requireNumber(fn, 'options.bootstrap.seed', seed, Number.isSafeInteger(seed), 'a safe integer')
    const rng = createRng(seed)
    const byDay: number[][] = Array.from({ length: prep.dayCount }, () => [])
    prep.dayIndex.forEach((d, i) => byDay[d].push(i))
    const draws: number[][] = []
    const speedDraws: number[] = []
    let failedReplicates = 0
    for (let b = 0; b < replicates; b++) {
      const drawn = Array.from({ length: prep.dayCount }, () => Math.floor(rng.next() * prep.dayCount))
      const data = resample(fn, prep, byDay, drawn)
      const rep = data === undefined ? undefined : fitFromStarts(data, [fit.theta], free, maxIterations)
      if (rep !== undefined && rep.converged && rep.theta.every(Number.isFinite)) {
        draws.push(rep.theta)
        speedDraws.push(speedEffectWithGradient(rep.theta, povLow, povHigh).value)
      } else failedReplicates++
    }
    bootstrap = { ...drawsCovariance(draws, free), replicates, failedReplicates }
    speedStdErr = sampleStdDev(speedDraws)
  }
  const speed = speedEffectWithGradient(fit.theta, povLow, povHigh)
  if (bootstrap === undefined) speedStdErr = deltaMethodStdErr(speed.gradient, clustered.covariance)
  const speedEffect = { povLow, povHigh, ratio: speed.value, stdErr: speedStdErr, z: speed.value / speedStdErr }
  const counts = new Array<number>(prep.lengthCount).fill(0)
  for (const l of prep.lengthIndex) counts[l]++
  return {
    params: toParams(fit.theta),
    fitted: ISTAR_PARAM_ORDER.filter((_, j) => free[j]),
    clustered,
    ...(bootstrap === undefined ? {} : { bootstrap }),
    atBound: ISTAR_PARAM_ORDER.filter((_, j) => fit.atBound[j]),
    speedEffect,
    rateTermDistinguishable: speedEffect.z > RATE_TERM_Z,
    windowsPerLength: prep.lengths.map((lengthMinutes, l) => ({ lengthMinutes, windows: counts[l] })).sort((x, y) => x.lengthMinutes - y.lengthMinutes),
    days: prep.dayCount,
    sizeFractionOfAdvRange: range(windows.map((w) => w.sizeFractionOfAdv)),
    povRange: range(windows.map((w) => w.pov)),
    weightedSse: fit.weightedSse,
    iterations: fit.iterations,
    converged: fit.converged
  }
}

/**
 * Calibrates I-Star (a1, a2, a4, b1) by weighted nonlinear least squares of each window's
 * signedReturn on its MI = b1 I* POV^a4 + (1 - b1) I*, I* = a1 sigma (|Q|/ADV)^a2 (Kissell 2013
 * fits I-Star to observed costs by nonlinear regression likewise). Levenberg-Marquardt with
 * the bounds a1 > 0, 0 < a2 <= 2, 0 <= a4 <= 10, 0 <= b1 <= 1 kept by projection
 * (istar-least-squares.ts), best of 4 starts (a2 = 0.5, a4 in {0.5, 1.5}, b1 in {0.3, 0.8}).
 * Weights (lengthWeights): w_i = 1 / (L n_l m_l), so every window length contributes the same
 * share of the weighted sum of squares however many windows it has and however variable its
 * returns are; the weighted SSE is the mean over lengths of MSE_l / m_l.
 * Standard errors: day-clustered sandwich (always; it takes the weights as given, though m_l is
 * estimated on the same windows) and a day-block bootstrap (options; it recomputes n_l and m_l on
 * every replicate, so it carries that estimation too).
 * When b1 = 0, a4 is not identified (and b1 is not when a4 = 0): such rows are NaN, and
 * whether speed matters is judged on the speed effect, not on b1 and a4 separately.
 * O(windows x iterations), times (1 + replicates) with the bootstrap.
 * @throws DomainRangeError naming 'windows' (empty, one day, too few), 'windows[i].<field>',
 *   'options.maxIterations' or 'options.bootstrap.*'.
 */
export function calibrateIStar (windows: readonly IStarWindow[], options: IStarFitOptions = {}): IStarCalibration {
  const starts = [[1, 0.5, 0.5, 0.3], [1, 0.5, 1.5, 0.3], [1, 0.5, 0.5, 0.8], [1, 0.5, 1.5, 0.8]]
  return calibrate('calibrateIStar', windows, starts, [true, true, true, true], options)
}

/**
 * The horizon-free square-root law on the same windows, for comparison: MI with b1 = 0
 * (a4 = 0, unused), so MI = I* = a1 sigma (|Q|/ADV)^a2 (Toth et al. 2011; Donier & Bonart
 * 2015). By default a2 is FIXED at 0.5 and only a1 is fitted; `freeExponent: true` fits a2 too.
 * Same weights, solver and standard errors as calibrateIStar.
 * @throws DomainRangeError as calibrateIStar.
 */
export function fitSquareRootLaw (windows: readonly IStarWindow[], options: IStarFitOptions & { freeExponent?: boolean } = {}): IStarCalibration {
  return calibrate('fitSquareRootLaw', windows, [[1, 0.5, 0, 0]], [true, options.freeExponent === true, false, false], options)
}

/** MI of one window under `params`: marketImpact(instantaneousImpact(|Q|/ADV, sigma), POV). */
export function windowImpact (params: IStarParams, window: IStarWindow): number {
  return marketImpact(params, instantaneousImpact(params, window.sizeFractionOfAdv, window.volDaily), window.pov)
}

/**
 * Out-of-sample R^2 = 1 - SSE / SST on held-out windows, with the same length weights
 * (lengthWeights, n_l and m_l computed on the held-out set) and SST around their weighted mean
 * signedReturn (sum w y / sum w): close to the mean over lengths of each length's R^2 (no length dominates). Can be < 0.
 * @throws DomainRangeError naming 'windows' (also when every signedReturn is equal) or a field.
 */
export function outOfSampleR2 (params: IStarParams, windows: readonly IStarWindow[]): number {
  const fn = 'outOfSampleR2'
  const { data } = prepare(fn, windows)
  // the weights do not sum to 1: the weighted mean divides by their sum
  let weighted = 0; let weightSum = 0
  for (let i = 0; i < windows.length; i++) { weighted += data.weight[i] * data.target[i]; weightSum += data.weight[i] }
  const mean = weighted / weightSum
  if (data.target.every((y) => y === data.target[0])) failRange(fn, 'windows', 'signed returns that vary', 'all equal')
  let sse = 0; let sst = 0
  windows.forEach((w, i) => {
    sse += data.weight[i] * (data.target[i] - windowImpact(params, w)) ** 2
    sst += data.weight[i] * (data.target[i] - mean) ** 2
  })
  return 1 - sse / sst
}
