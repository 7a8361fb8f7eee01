/**
 * Typed errors of the Bybit v5 client, after undici's `lib/core/errors.js` (one base class, a
 * stable `code` per subclass: match on `code`, never on the message) and nautilus_trader's
 * `crates/adapters/bybit/src/http/error.rs` (venue, JSON, network and status errors kept apart).
 * `retryable` says whether the client's retry loop tries the request again.
 */

export const BYBIT_ERROR_CODES = {
  BYBIT_ERR_VENUE: 'Bybit answered with retCode != 0 (retCode, retMsg); retried only for 10000 and 10016 (server timeout / server error)',
  BYBIT_ERR_RATE_LIMIT: 'rate limited (retCode 10006 or 10018, HTTP 429 or 403); retried after X-Bapi-Limit-Reset-Timestamp or a backoff',
  BYBIT_ERR_HTTP: 'HTTP status other than 2xx (statusCode); 5xx are retried, other 4xx are not',
  BYBIT_ERR_PARSE: 'the body is not the Bybit shape we expect (field names the bad value); never retried',
  BYBIT_ERR_TIMEOUT: 'no complete response within timeoutMs; retried',
  BYBIT_ERR_NETWORK: 'connection refused, reset or closed (cause keeps the undici error); retried'
} as const

export type BybitErrorCode = keyof typeof BYBIT_ERROR_CODES

/** retCodes Bybit documents as transient server-side failures: 10000 server timeout, 10016 server error. */
export const RETRYABLE_RET_CODES: ReadonlySet<number> = new Set([10000, 10016])
/** retCodes meaning "too many requests": 10006 per-UID limit, 10018 per-IP limit. */
export const RATE_LIMIT_RET_CODES: ReadonlySet<number> = new Set([10006, 10018])

/** Base of every error the Bybit client throws. */
export abstract class BybitError extends Error {
  abstract readonly code: BybitErrorCode
  abstract readonly retryable: boolean
  /** the REST path (`/v5/market/kline`) or `ws` */
  readonly endpoint: string

  constructor (message: string, endpoint: string, options?: { cause?: unknown }) {
    super(message, options)
    this.endpoint = endpoint
  }
}

/** retCode != 0 (other than a rate limit). */
export class BybitVenueError extends BybitError {
  override readonly name = 'BybitVenueError'
  readonly code = 'BYBIT_ERR_VENUE' as const
  readonly retryable: boolean
  readonly retCode: number
  readonly retMsg: string

  constructor (endpoint: string, retCode: number, retMsg: string) {
    super(`Bybit ${endpoint} retCode ${retCode}: ${retMsg}`, endpoint)
    this.retCode = retCode
    this.retMsg = retMsg
    this.retryable = RETRYABLE_RET_CODES.has(retCode)
  }
}

/** Rate limited; `resetAtMs` from the X-Bapi-Limit-Reset-Timestamp header when Bybit sent one. */
export class BybitRateLimitError extends BybitError {
  override readonly name = 'BybitRateLimitError'
  readonly code = 'BYBIT_ERR_RATE_LIMIT' as const
  readonly retryable = true
  readonly resetAtMs: number | undefined
  /** HTTP status of the response (200 when the limit came as retCode 10006) */
  readonly statusCode: number
  readonly retCode: number | undefined

  constructor (endpoint: string, details: { statusCode: number, retCode?: number, resetAtMs?: number }) {
    const why = details.retCode !== undefined ? `retCode ${details.retCode}` : `HTTP ${details.statusCode}`
    super(`Bybit ${endpoint} rate limited (${why})`, endpoint)
    this.statusCode = details.statusCode
    this.retCode = details.retCode
    this.resetAtMs = details.resetAtMs
  }
}

/** HTTP status other than 2xx (and other than the rate-limit statuses 403/429). */
export class BybitHttpError extends BybitError {
  override readonly name = 'BybitHttpError'
  readonly code = 'BYBIT_ERR_HTTP' as const
  readonly retryable: boolean
  readonly statusCode: number

  constructor (endpoint: string, statusCode: number) {
    super(`Bybit ${endpoint} HTTP ${statusCode}`, endpoint)
    this.statusCode = statusCode
    this.retryable = statusCode >= 500
  }
}

/**
 * The body is not what Bybit's v5 shape says. Not retried: the response arrived whole, so a
 * retry would most likely get the same body (a format change or a bad row upstream), spend
 * rate-limit budget and hide the problem; the caller logs it and keeps its current state.
 */
export class BybitParseError extends BybitError {
  override readonly name = 'BybitParseError'
  readonly code = 'BYBIT_ERR_PARSE' as const
  readonly retryable = false
  /** path of the bad value, e.g. `result.list[3][4] (close)` */
  readonly field: string

  constructor (endpoint: string, field: string, rule: string) {
    super(`Bybit ${endpoint}: ${field} ${rule}`, endpoint)
    this.field = field
  }
}

/** No complete response within timeoutMs. */
export class BybitTimeoutError extends BybitError {
  override readonly name = 'BybitTimeoutError'
  readonly code = 'BYBIT_ERR_TIMEOUT' as const
  readonly retryable = true
  readonly timeoutMs: number

  constructor (endpoint: string, timeoutMs: number) {
    super(`Bybit ${endpoint} gave no complete response within ${timeoutMs} ms`, endpoint)
    this.timeoutMs = timeoutMs
  }
}

/** Connection refused, reset or closed early; `cause` is the undici / node error. */
export class BybitNetworkError extends BybitError {
  override readonly name = 'BybitNetworkError'
  readonly code = 'BYBIT_ERR_NETWORK' as const
  readonly retryable = true

  constructor (endpoint: string, cause: unknown) {
    const detail = cause instanceof Error ? `${(cause as { code?: string }).code ?? cause.name}: ${cause.message}` : String(cause)
    super(`Bybit ${endpoint} network error (${detail})`, endpoint, { cause })
  }
}

/** True for any error thrown by the Bybit client. */
export function isBybitError (error: unknown): error is BybitError {
  return error instanceof BybitError
}
