/**
 * Request-parameter checks of the fake Bybit. A bad parameter is answered the way Bybit does:
 * HTTP 200 with `retCode` 10001 ("params error") in the envelope.
 */

/** Thrown by a route builder; the server turns it into `{retCode: 10001, retMsg}`. */
export class VenueParamsError extends Error {
  readonly retCode = 10001
  constructor (message: string) {
    super(`params error: ${message}`)
    this.name = 'VenueParamsError'
  }
}

export type Query = Record<string, string>

/**
 * An optional integer parameter within [min, max], else `fallback`.
 * @throws {VenueParamsError} when present but not an integer in range.
 */
export function intParam (query: Query, name: string, min: number, max: number, fallback: number): number {
  const text = query[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isInteger(value) || value < min || value > max) throw new VenueParamsError(`${name} must be an integer in [${min}, ${max}], got "${text}"`)
  return value
}

/**
 * An optional millisecond timestamp parameter.
 * @throws {VenueParamsError} when present but not a non-negative integer.
 */
export function msParam (query: Query, name: string): number | undefined {
  const text = query[name]
  if (text === undefined || text === '') return undefined
  const value = Number(text)
  if (!Number.isInteger(value) || value < 0) throw new VenueParamsError(`${name} must be a timestamp in ms, got "${text}"`)
  return value
}

/**
 * A category parameter that must be one of `allowed` (Bybit's default is linear).
 * @throws {VenueParamsError} otherwise.
 */
export function categoryParam<C extends string> (query: Query, allowed: readonly C[]): C {
  const text = query.category ?? 'linear'
  if (!(allowed as readonly string[]).includes(text)) throw new VenueParamsError(`category "${text}" is not served here (allowed: ${allowed.join(', ')})`)
  return text as C
}

/**
 * A required symbol parameter.
 * @throws {VenueParamsError} when missing.
 */
export function symbolParam (query: Query): string {
  const symbol = query.symbol
  if (symbol === undefined || symbol === '') throw new VenueParamsError('symbol is required')
  return symbol
}
