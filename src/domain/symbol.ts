/**
 * A venue symbol as this service accepts it: 2 to 30 upper-case letters and digits (BTCUSDT,
 * 1000PEPEUSDT). The API schemas use the pattern string; code that gets a symbol from elsewhere
 * uses `isSymbol`.
 */
export const SYMBOL_PATTERN = '^[A-Z0-9]{2,30}$'

const SYMBOL = new RegExp(SYMBOL_PATTERN)

/** True when `value` is a string matching SYMBOL_PATTERN. */
export function isSymbol (value: unknown): value is string {
  return typeof value === 'string' && SYMBOL.test(value)
}
