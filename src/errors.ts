import createError from '@fastify/error'

/**
 * Every error the API returns, declared once: a stable `PRETRADE_ERR_*` code (its meaning never
 * changes), a message and an HTTP status. Each code is listed in README.md ("Errors"); a test
 * fails if one is missing. 4xx bodies are `{ statusCode, code, field, rule, message }`.
 */
export const ERROR_CODES = {
  PRETRADE_ERR_VALIDATION: { statusCode: 400, summary: 'the request does not match the schema: field and rule name what is wrong' },
  PRETRADE_ERR_UNPROCESSABLE: { statusCode: 422, summary: 'the request is well-formed but the mathematics cannot accept it (e.g. etaTilde <= 0); field and rule say why' },
  PRETRADE_ERR_UNKNOWN_SYMBOL: { statusCode: 422, summary: 'the symbol has no market state and the request does not supply the missing market inputs' },
  PRETRADE_ERR_BODY_TOO_LARGE: { statusCode: 413, summary: 'the request body is larger than the route accepts' },
  PRETRADE_ERR_BAD_JSON: { statusCode: 400, summary: 'the request body is not valid JSON' },
  PRETRADE_ERR_UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, summary: 'the request body is not application/json' },
  PRETRADE_ERR_NOT_FOUND: { statusCode: 404, summary: 'no such route' },
  PRETRADE_ERR_UNAUTHORIZED: { statusCode: 401, summary: 'an admin endpoint was called without the right x-api-key' },
  PRETRADE_ERR_ADMIN_DISABLED: { statusCode: 403, summary: 'admin endpoints are disabled because no ADMIN_API_KEY is configured' },
  PRETRADE_ERR_REGISTRY_UNAVAILABLE: { statusCode: 503, summary: 'publishing and rollback need the Redis model registry (REDIS_URL), and Redis must answer' },
  PRETRADE_ERR_VERSION_NOT_FOUND: { statusCode: 404, summary: 'no kept model version of that symbol and name' },
  PRETRADE_ERR_VERSION_EXISTS: { statusCode: 409, summary: 'a different record was already published under that version (records are immutable)' },
  PRETRADE_ERR_JOB_UNAVAILABLE: { statusCode: 503, summary: 'the recalibration job needs live market data (MARKET_DATA_SOURCE=bybit)' },
  PRETRADE_ERR_LEADER_UNAVAILABLE: { statusCode: 503, summary: 'a recalibration asked of a replica without the leader lock is handed to the leader through Redis; no leader answered within RECALIBRATE_RELAY_TIMEOUT_MS, or Redis did not take the request' },
  PRETRADE_ERR_BOOK_UNAVAILABLE: { statusCode: 503, summary: 'method "book" needs a live order book and none could be had (no live market data, or the venue did not answer)' },
  PRETRADE_ERR_NOT_READY: { statusCode: 503, summary: 'the service has no models loaded yet' },
  PRETRADE_ERR_STORE_UNAVAILABLE: { statusCode: 503, summary: 'accepted records could not be stored, so nothing was accepted; retry' },
  PRETRADE_ERR_RATE_LIMITED: { statusCode: 429, summary: 'too many admin requests from this client address; Retry-After says when to try again' },
  PRETRADE_ERR_OVERLOADED: { statusCode: 503, summary: 'the replica is shedding load (event loop overloaded); Retry-After says when to try again, another replica may answer now' },
  PRETRADE_ERR_SHUTTING_DOWN: { statusCode: 503, summary: 'the replica is shutting down; the request was not processed: retry (another replica answers)' },
  PRETRADE_ERR_INTERNAL: { statusCode: 500, summary: 'an unexpected error; details are in the server log, never in the response' }
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/** A 4xx the API returns on purpose; `field` is a JSON-pointer-like path (`body/qtyBase`). */
export interface ApiErrorDetails {
  field: string
  rule: string
}

export const UnprocessableError = createError<'PRETRADE_ERR_UNPROCESSABLE', 422, [string]>('PRETRADE_ERR_UNPROCESSABLE', '%s', 422)
export const UnknownSymbolError = createError<'PRETRADE_ERR_UNKNOWN_SYMBOL', 422, [string]>('PRETRADE_ERR_UNKNOWN_SYMBOL', '%s', 422)

/** Builds a 422 carrying the field and the rule it breaks. */
export function unprocessable (field: string, rule: string, message: string): Error & ApiErrorDetails {
  return Object.assign(new UnprocessableError(message), { field, rule })
}

/** Builds the 422 for a symbol without market state and without the inputs to replace it. */
export function unknownSymbol (field: string, symbol: string, missing: string[]): Error & ApiErrorDetails {
  const rule = `known symbol, or explicit ${missing.join(', ')}`
  return Object.assign(new UnknownSymbolError(`symbol ${JSON.stringify(symbol)} has no market state; send ${missing.join(', ')} or use a known symbol`), { field, rule })
}

export const StoreUnavailableError = createError<'PRETRADE_ERR_STORE_UNAVAILABLE', 503, [string]>('PRETRADE_ERR_STORE_UNAVAILABLE', '%s', 503)

/** A 503 for a request whose records could not be made durable (so it was not accepted). */
export function storeUnavailable (message: string): Error & ApiErrorDetails {
  return Object.assign(new StoreUnavailableError(message), { field: 'body', rule: 'records must be stored before they are accepted' })
}

export const BookUnavailableError = createError<'PRETRADE_ERR_BOOK_UNAVAILABLE', 503, [string]>('PRETRADE_ERR_BOOK_UNAVAILABLE', '%s', 503)

/** A 503 for method "book" when no order book can be had. */
export function bookUnavailable (message: string): Error & ApiErrorDetails {
  return Object.assign(new BookUnavailableError(message), { field: 'body/method', rule: 'a live order book must be available' })
}

export const JobUnavailableError = createError<'PRETRADE_ERR_JOB_UNAVAILABLE', 503, []>('PRETRADE_ERR_JOB_UNAVAILABLE', 'the recalibration job runs only with live market data (MARKET_DATA_SOURCE=bybit)', 503)

export function jobUnavailable (): Error & ApiErrorDetails {
  return Object.assign(new JobUnavailableError(), { field: 'config/MARKET_DATA_SOURCE', rule: 'bybit' })
}

const LeaderUnavailableError = createError<'PRETRADE_ERR_LEADER_UNAVAILABLE', 503, [string]>('PRETRADE_ERR_LEADER_UNAVAILABLE', '%s', 503)

/** A 503 for a relayed recalibration that the leader did not answer. */
export function leaderUnavailable (message: string): Error & ApiErrorDetails {
  return Object.assign(new LeaderUnavailableError(message), { field: 'config/RECALIBRATE_RELAY_TIMEOUT_MS', rule: 'a replica holding the leader lock answers in time' })
}

const RegistryUnavailableError = createError<'PRETRADE_ERR_REGISTRY_UNAVAILABLE', 503, [string]>('PRETRADE_ERR_REGISTRY_UNAVAILABLE', '%s', 503)
const VersionNotFoundError = createError<'PRETRADE_ERR_VERSION_NOT_FOUND', 404, [string]>('PRETRADE_ERR_VERSION_NOT_FOUND', '%s', 404)
const VersionExistsError = createError<'PRETRADE_ERR_VERSION_EXISTS', 409, [string]>('PRETRADE_ERR_VERSION_EXISTS', '%s', 409)

export function registryUnavailable (message: string): Error & ApiErrorDetails {
  return Object.assign(new RegistryUnavailableError(message), { field: 'config/REDIS_URL', rule: 'a reachable Redis model registry' })
}
export function versionNotFound (message: string): Error & ApiErrorDetails {
  return Object.assign(new VersionNotFoundError(message), { field: 'body/version', rule: 'a kept version' })
}
export function versionExists (message: string): Error & ApiErrorDetails {
  return Object.assign(new VersionExistsError(message), { field: 'body/version', rule: 'unique per content' })
}

const RateLimitedError = createError<'PRETRADE_ERR_RATE_LIMITED', 429, [string]>('PRETRADE_ERR_RATE_LIMITED', '%s', 429)

/** The 429 of a rate-limited admin request (thrown by @fastify/rate-limit, rendered by the error handler). */
export function rateLimited (max: number, window: string): Error & ApiErrorDetails {
  return Object.assign(new RateLimitedError(`more than ${max} admin requests in ${window} from this address`), { field: 'headers/x-api-key', rule: `at most ${max} admin requests per ${window}` })
}

/** The body of a request refused because the server is closing (sent from a hook, not thrown). */
export function shuttingDown () {
  return { statusCode: 503, code: 'PRETRADE_ERR_SHUTTING_DOWN' as const, error: 'Service Unavailable', field: 'server', rule: 'the server must be running', message: 'this replica is shutting down; the request was not processed: retry' }
}
