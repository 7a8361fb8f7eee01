/**
 * Walk-forward (time-ordered) train/test split and day-by-day squared errors of a predictor of the
 * signed return dP/P: the measuring half of the model-publication gate (gate.ts).
 *
 * Reference: Bailey & Lopez de Prado, "Advances in Financial Machine Learning" (2018), ch. 7
 * (purging and embargo: a gap between train and test so no training window overlaps or touches
 * the test period).
 */
import { DomainRangeError } from '../errors.js'
import type { ImpactSample } from '../impact/calibrate-sqrt.js'

/** An impact sample with the time window it covers and the spread seen before it. */
export type TimedSample = ImpactSample & {
  /** window start, ms since the epoch (inclusive) */
  startMs: number
  /** window end, ms since the epoch (exclusive), >= startMs */
  endMs: number
  /** (ask - bid) / mid before the window, fraction (not bps), >= 0 */
  relSpread: number
}

/** Predicted signed return dP/P of a sample (positive = price up); same sign convention as signedReturn. */
export type Predictor = (s: TimedSample) => number

export interface WalkForwardOptions {
  /** share of the time span [first startMs, last endMs] that becomes the test period, in (0, 1); default 0.3 */
  testFraction?: number
  /** embargo in ms: every training sample ends at least gapMs before the first test sample starts, >= 0 */
  gapMs: number
}

export interface WalkForwardSplit<S extends TimedSample> {
  /** samples with endMs <= testFromMs - gapMs, ascending by startMs */
  train: S[]
  /** samples with startMs >= the cut, ascending by startMs */
  test: S[]
  /** first train startMs, last train endMs */
  trainFromMs: number
  trainToMs: number
  /** first test startMs, last test endMs */
  testFromMs: number
  testToMs: number
}

export const DEFAULT_TEST_FRACTION = 0.3

/** [earliest startMs, latest endMs] of the samples; { Infinity, -Infinity } when there are none. */
export function timeSpanOf (samples: readonly { startMs: number, endMs: number }[]): { fromMs: number, toMs: number } {
  let fromMs = Infinity
  let toMs = -Infinity
  for (const s of samples) {
    if (s.startMs < fromMs) fromMs = s.startMs
    if (s.endMs > toMs) toMs = s.endMs
  }
  return { fromMs, toMs }
}
export const MS_PER_DAY = 86_400_000

function checkTimes (fn: string, samples: readonly TimedSample[]): void {
  if (!Array.isArray(samples)) throw new TypeError(`${fn}: samples must be an array of TimedSample`)
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]
    if (!Number.isFinite(s.startMs) || !Number.isFinite(s.endMs) || s.endMs < s.startMs) {
      throw new DomainRangeError(`${fn}: samples[${i}] must have finite startMs <= endMs (got ${s.startMs}, ${s.endMs})`, `samples[${i}].startMs`, 'finite, startMs <= endMs')
    }
  }
}

/**
 * Splits samples BY TIME. With span [t0, t1] = [min startMs, max endMs] and the cut
 * c = t0 + (1 - testFraction) (t1 - t0): test = samples with startMs >= c; then
 * testFromMs = their first startMs, and train = samples with endMs <= testFromMs - gapMs.
 * Samples in between (the embargo) are in neither. So no training window overlaps the test
 * period or comes within gapMs of it, and every training window ends before any test window
 * starts. The input is not modified; ties keep input order. O(n log n).
 * @throws TypeError if samples is not an array.
 * @throws DomainRangeError naming 'testFraction' (outside (0, 1)), 'gapMs' (negative or not
 *   finite), 'samples[i].startMs' (non-finite or endMs < startMs), or 'samples' when the split
 *   leaves train or test empty.
 * @example walkForwardSplit(samples, { gapMs: 86_400_000 }) // { train, test, trainFromMs, ... }
 */
export function walkForwardSplit<S extends TimedSample> (samples: readonly S[], options: WalkForwardOptions): WalkForwardSplit<S> {
  const fn = 'walkForwardSplit'
  const testFraction = options.testFraction ?? DEFAULT_TEST_FRACTION
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new DomainRangeError(`${fn}: testFraction must be in (0, 1) (got ${testFraction})`, 'testFraction', 'in (0, 1)')
  }
  if (!(options.gapMs >= 0 && options.gapMs < Infinity)) {
    throw new DomainRangeError(`${fn}: gapMs must be finite and >= 0 (got ${options.gapMs})`, 'gapMs', 'finite, >= 0')
  }
  checkTimes(fn, samples)
  if (samples.length === 0) throw new DomainRangeError(`${fn}: samples must not be empty`, 'samples', 'nonEmpty')
  const sorted = samples.map((s, i) => ({ s, i })).sort((a, b) => a.s.startMs - b.s.startMs || a.i - b.i).map((x) => x.s)
  let t0 = Infinity
  let t1 = -Infinity
  for (const s of sorted) {
    if (s.startMs < t0) t0 = s.startMs
    if (s.endMs > t1) t1 = s.endMs
  }
  const cutMs = t0 + (1 - testFraction) * (t1 - t0)
  const test = sorted.filter((s) => s.startMs >= cutMs)
  if (test.length === 0) {
    throw new DomainRangeError(`${fn}: no sample starts in the last ${testFraction} of the time span (cut ${cutMs})`, 'samples', 'non-empty test period')
  }
  const testFromMs = test[0].startMs
  const train = sorted.filter((s) => s.endMs <= testFromMs - options.gapMs)
  if (train.length === 0) {
    throw new DomainRangeError(`${fn}: no sample ends ${options.gapMs} ms or more before the test period starts (${testFromMs})`, 'samples', 'non-empty training period')
  }
  return {
    train,
    test,
    trainFromMs: train[0].startMs,
    trainToMs: maxEnd(train),
    testFromMs,
    testToMs: maxEnd(test)
  }
}

function maxEnd (samples: readonly TimedSample[]): number {
  let m = -Infinity
  for (const s of samples) if (s.endMs > m) m = s.endMs
  return m
}

export interface DailyError {
  /** bucket start: floor(startMs / bucketMs) * bucketMs (a UTC midnight for whole days) */
  dayStartMs: number
  /** samples in the bucket */
  n: number
  /** mean of (signedReturn - prediction)^2 over the bucket */
  mse: number
}

function checkBucket (fn: string, bucketMs: number): void {
  if (!(bucketMs > 0 && bucketMs < Infinity)) {
    throw new DomainRangeError(`${fn}: bucketMs must be finite and > 0 (got ${bucketMs})`, 'bucketMs', 'finite, > 0')
  }
}

/**
 * Mean squared error of precomputed predictions per time bucket; predictions[i] belongs to
 * test[i]. Non-finite predictions give a non-finite mse (the gate rejects them first).
 * @throws DomainRangeError naming 'bucketMs' (not finite and > 0) or 'predictions' (length).
 */
export function dailySquaredErrorsOf (test: readonly TimedSample[], predictions: ArrayLike<number>, bucketMs: number = MS_PER_DAY): DailyError[] {
  const fn = 'dailySquaredErrors'
  checkBucket(fn, bucketMs)
  if (predictions.length !== test.length) {
    throw new DomainRangeError(`${fn}: predictions must have one value per test sample (${test.length}), got ${predictions.length}`, 'predictions', 'lengthEqualsTest')
  }
  const buckets = new Map<number, { n: number, sse: number }>()
  for (let i = 0; i < test.length; i++) {
    const dayStartMs = Math.floor(test[i].startMs / bucketMs) * bucketMs
    const error = test[i].signedReturn - predictions[i]
    const b = buckets.get(dayStartMs)
    if (b === undefined) buckets.set(dayStartMs, { n: 1, sse: error * error })
    else { b.n++; b.sse += error * error }
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([dayStartMs, b]) => ({ dayStartMs, n: b.n, mse: b.sse / b.n }))
}

/**
 * Out-of-sample squared error of `predictor` per bucket of `bucketMs` (default one UTC day),
 * bucketed by each sample's startMs, ascending by dayStartMs; empty buckets are absent.
 * O(n log days).
 * @throws DomainRangeError naming 'bucketMs' when it is not finite and > 0.
 * @example dailySquaredErrors(test, () => 0) // [{ dayStartMs: 1675209600000, n: 288, mse: 4.1e-6 }, ...]
 */
export function dailySquaredErrors (test: readonly TimedSample[], predictor: Predictor, bucketMs: number = MS_PER_DAY): DailyError[] {
  checkBucket('dailySquaredErrors', bucketMs)
  return dailySquaredErrorsOf(test, test.map(predictor), bucketMs)
}
