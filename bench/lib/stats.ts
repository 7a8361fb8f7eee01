/** Median of a non-empty list (mean of the two middle values for an even count). */
export function medianOf (values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('medianOf: values must be non-empty')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Nearest-rank percentile (q in (0, 1]) of values already sorted ascending; NaN when empty. */
export function percentileOfSorted (sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}
