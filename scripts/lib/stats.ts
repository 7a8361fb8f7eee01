/** Small statistics helpers for the build scripts (not domain code: used only offline). */

/** Median (mean of the two middle values for even n). @throws {RangeError} on an empty array. */
export function median (values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median: needs at least one value')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid])
}

/** Sample standard deviation (n - 1), two-pass. @throws {RangeError} with fewer than 2 values. */
export function sampleStdev (values: readonly number[]): number {
  if (values.length < 2) throw new RangeError('sampleStdev: needs at least two values')
  let sum = 0
  for (const v of values) sum += v
  const mean = sum / values.length
  let sumSq = 0
  for (const v of values) sumSq += (v - mean) * (v - mean)
  return Math.sqrt(sumSq / (values.length - 1))
}

export type ForecastScore = {
  /** mean squared error of the prediction */
  mse: number
  /** 1 - SSE / SST with SST about the mean of the actual values (the zero model scores ~0) */
  r2: number
  count: number
}

/** Out-of-sample score of predictions against actual values. @throws {RangeError} on length mismatch or empty input. */
export function scoreForecast (actual: readonly number[], predicted: readonly number[]): ForecastScore {
  if (actual.length !== predicted.length || actual.length === 0) throw new RangeError('scoreForecast: actual and predicted must be non-empty and of equal length')
  let mean = 0
  for (const a of actual) mean += a
  mean /= actual.length
  let sse = 0
  let sst = 0
  for (let i = 0; i < actual.length; i++) {
    sse += (actual[i] - predicted[i]) ** 2
    sst += (actual[i] - mean) ** 2
  }
  return { mse: sse / actual.length, r2: 1 - sse / sst, count: actual.length }
}

/** Compact, stable number formatting for origin strings. */
export function formatNumber (value: number, significant = 4): string {
  return Number(value.toPrecision(significant)).toString()
}

/** ISO-8601 UTC without milliseconds when they are zero. */
export function formatUtc (timeMs: number): string {
  const iso = new Date(timeMs).toISOString()
  return iso.endsWith('.000Z') ? iso.replace('.000Z', 'Z') : iso
}
