/**
 * Decimal-string formatting for the fake Bybit. Bybit sends every price and size as a string;
 * klines and order-book levels drop trailing zeros ("84038", "84047.8"), tickers keep the
 * instrument's price scale ("51444.40"). See ../shared/data/bybit-samples/SHAPES.md.
 */

/** `value` with `decimals` places, trailing zeros (and a bare point) removed: 84038.0 -> "84038". */
export function formatTrimmed (value: number, decimals: number): string {
  const fixed = value.toFixed(decimals)
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed
}

/** `value` with at least `minDecimals` places and no precision lost below 8 places: 0.001 -> "0.001", 1 -> "1.000" (min 3). */
export function formatPadded (value: number, minDecimals: number): string {
  const trimmed = formatTrimmed(value, 8)
  const have = trimmed.includes('.') ? trimmed.length - trimmed.indexOf('.') - 1 : 0
  if (have >= minDecimals) return trimmed
  return value.toFixed(minDecimals)
}

/** Number of decimal places of a step such as 0.10 -> 1, 0.001 -> 3, 1 -> 0. */
export function decimalsOf (step: number): number {
  const text = formatTrimmed(step, 10)
  return text.includes('.') ? text.length - text.indexOf('.') - 1 : 0
}

/** Largest multiple of `tick` at or below `price` (a small epsilon absorbs float noise). */
export function floorToTick (price: number, tick: number): number {
  return Math.floor(price / tick + 1e-9) * tick
}

/** Smallest multiple of `tick` at or above `price`. */
export function ceilToTick (price: number, tick: number): number {
  return Math.ceil(price / tick - 1e-9) * tick
}
