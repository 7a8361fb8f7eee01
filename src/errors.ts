import createError from '@fastify/error'
import { STATUS_CODES } from 'node:http'

/**
 * Every error the API returns, declared once (as fastify's `lib/errors.js`): a stable
 * `PRETRADE_ERR_*` code (its meaning never changes), a message and an HTTP status. Each code is
 * listed in README.md ("Errors"); a test fails if one is missing. A message of '%s' is given
 * where the error is raised. Bodies are `{ statusCode, code, error, field, rule, message }`
 * (see `errorBody`).
 */
export const codes = {
  /** the request does not match the schema: field and rule name what is wrong */
  PRETRADE_ERR_VALIDATION: createError('PRETRADE_ERR_VALIDATION', '%s', 400),
  /** the request is well-formed but the mathematics cannot accept it (e.g. etaTilde <= 0); field and rule say why */
  PRETRADE_ERR_UNPROCESSABLE: createError('PRETRADE_ERR_UNPROCESSABLE', '%s', 422),
  /** the symbol has no market state and the request does not supply the missing market inputs */
  PRETRADE_ERR_UNKNOWN_SYMBOL: createError('PRETRADE_ERR_UNKNOWN_SYMBOL', '%s', 422),
  /** the request body is larger than the route accepts */
  PRETRADE_ERR_BODY_TOO_LARGE: createError('PRETRADE_ERR_BODY_TOO_LARGE', '%s', 413),
  /** the request body is not valid JSON */
  PRETRADE_ERR_BAD_JSON: createError('PRETRADE_ERR_BAD_JSON', '%s', 400),
  /** the request body is not application/json */
  PRETRADE_ERR_UNSUPPORTED_MEDIA_TYPE: createError('PRETRADE_ERR_UNSUPPORTED_MEDIA_TYPE', 'the request body must be application/json', 415),
  /** no such route */
  PRETRADE_ERR_NOT_FOUND: createError('PRETRADE_ERR_NOT_FOUND', 'no route %s %s', 404),
  /** an admin endpoint was called without the right x-api-key */
  PRETRADE_ERR_UNAUTHORIZED: createError('PRETRADE_ERR_UNAUTHORIZED', 'missing or wrong x-api-key', 401),
  /** admin endpoints are disabled because no ADMIN_API_KEY is configured */
  PRETRADE_ERR_ADMIN_DISABLED: createError('PRETRADE_ERR_ADMIN_DISABLED', 'admin endpoints are disabled: the server has no ADMIN_API_KEY', 403),
  /** publishing and rollback need the Redis model registry (REDIS_URL), and Redis must answer */
  PRETRADE_ERR_REGISTRY_UNAVAILABLE: createError('PRETRADE_ERR_REGISTRY_UNAVAILABLE', '%s', 503),
  /** no kept model version of that symbol and name */
  PRETRADE_ERR_VERSION_NOT_FOUND: createError('PRETRADE_ERR_VERSION_NOT_FOUND', '%s', 404),
  /** a different record was already published under that version (records are immutable) */
  PRETRADE_ERR_VERSION_EXISTS: createError('PRETRADE_ERR_VERSION_EXISTS', '%s', 409),
  /** the recalibration job needs live market data (MARKET_DATA_SOURCE=bybit) */
  PRETRADE_ERR_JOB_UNAVAILABLE: createError('PRETRADE_ERR_JOB_UNAVAILABLE', 'the recalibration job runs only with live market data (MARKET_DATA_SOURCE=bybit)', 503),
  /**
   * a recalibration asked of a replica without the leader lock is handed to the leader through
   * Redis; no leader answered within RECALIBRATE_RELAY_TIMEOUT_MS, or Redis did not take the request
   */
  PRETRADE_ERR_LEADER_UNAVAILABLE: createError('PRETRADE_ERR_LEADER_UNAVAILABLE', '%s', 503),
  /** method "book" needs a live order book and none could be had (no live market data, or the venue did not answer) */
  PRETRADE_ERR_BOOK_UNAVAILABLE: createError('PRETRADE_ERR_BOOK_UNAVAILABLE', '%s', 503),
  /** the service has no models loaded yet */
  PRETRADE_ERR_NOT_READY: createError('PRETRADE_ERR_NOT_READY', 'no models loaded yet', 503),
  /** accepted records could not be stored, so nothing was accepted; retry */
  PRETRADE_ERR_STORE_UNAVAILABLE: createError('PRETRADE_ERR_STORE_UNAVAILABLE', '%s', 503),
  /** too many admin requests from this client address; Retry-After says when to try again */
  PRETRADE_ERR_RATE_LIMITED: createError('PRETRADE_ERR_RATE_LIMITED', 'more than %s admin requests in %s from this address', 429),
  /** the replica is shedding load (event loop overloaded); Retry-After says when to try again, another replica may answer now */
  PRETRADE_ERR_OVERLOADED: createError('PRETRADE_ERR_OVERLOADED', 'this replica is overloaded%s; retry after %s s or on another replica', 503),
  /** the replica is shutting down; the request was not processed: retry (another replica answers) */
  PRETRADE_ERR_SHUTTING_DOWN: createError('PRETRADE_ERR_SHUTTING_DOWN', 'this replica is shutting down; the request was not processed: retry', 503),
  /** an unexpected error; details are in the server log, never in the response */
  PRETRADE_ERR_INTERNAL: createError('PRETRADE_ERR_INTERNAL', 'internal error; see the server log for this request id', 500)
} as const

export type ErrorCode = keyof typeof codes

/** The HTTP status a code is declared with, as a literal type (`StatusOf<'PRETRADE_ERR_NOT_READY'>` is 503). */
export type StatusOf<C extends ErrorCode> = InstanceType<(typeof codes)[C]>['statusCode']

/** Each code's status, read from its one declaration. */
const statusByCode = new Map<string, number>(Object.values(codes).map((ApiError) => {
  const err = new ApiError()
  return [err.code, err.statusCode]
}))

export function isErrorCode (code: unknown): code is ErrorCode {
  return typeof code === 'string' && statusByCode.has(code)
}

/** The HTTP status of a code (the one in `codes`). */
export function statusCodeOf<C extends ErrorCode> (code: C): StatusOf<C> {
  return statusByCode.get(code) as StatusOf<C>
}

/** What a 4xx or 5xx names besides its code: `field` is a JSON-pointer-like path (`body/qtyBase`), `rule` what it must satisfy. */
export interface ApiErrorDetails {
  field: string
  rule: string
}

/** Attaches the field and the rule to an error of the catalogue (the one way to add them). */
export function withDetails<E extends Error> (err: E, field: string, rule: string): E & ApiErrorDetails {
  return Object.assign(err, { field, rule })
}

/** An error of the catalogue, or anything shaped like one (`field` and `rule` may be absent). */
export interface CatalogueError<C extends ErrorCode = ErrorCode> {
  code: C
  message: string
  field?: string
  rule?: string
}

export interface ErrorBody<C extends ErrorCode = ErrorCode> {
  statusCode: StatusOf<C>
  code: C
  error: string
  field?: string
  rule?: string
  message: string
}

/**
 * The response body of an error of the catalogue, `{ statusCode, code, error, field, rule, message }`
 * (field and rule left out when absent). Thrown errors (through the error handler) and replies
 * sent from hooks both render here, so they are alike.
 */
export function errorBody<C extends ErrorCode> (err: CatalogueError<C>): ErrorBody<C> {
  const statusCode = statusCodeOf(err.code)
  return {
    statusCode,
    code: err.code,
    error: STATUS_CODES[statusCode] ?? 'Error',
    ...(err.field !== undefined ? { field: err.field } : {}),
    ...(err.rule !== undefined ? { rule: err.rule } : {}),
    message: err.message
  }
}

/** The message of a value outside a fixed set: "must be one of: buy, sell" (request bodies and env config alike). */
export function mustBeOneOf (allowedValues: readonly unknown[]): string {
  return `must be one of: ${allowedValues.map(String).join(', ')}`
}

/** The 404 of a request to no route. */
export function notFound (method: string, url: string) {
  return withDetails(new codes.PRETRADE_ERR_NOT_FOUND(method, url), 'url', 'known route')
}

/** Builds a 422 carrying the field and the rule it breaks. */
export function unprocessable (field: string, rule: string, message: string) {
  return withDetails(new codes.PRETRADE_ERR_UNPROCESSABLE(message), field, rule)
}

/** Builds the 422 for a symbol without market state and without the inputs to replace it. */
export function unknownSymbol (field: string, symbol: string, missing: string[]) {
  const message = `symbol ${JSON.stringify(symbol)} has no market state; send ${missing.join(', ')} or use a known symbol`
  return withDetails(new codes.PRETRADE_ERR_UNKNOWN_SYMBOL(message), field, `known symbol, or explicit ${missing.join(', ')}`)
}

/** A 503 for a request whose records could not be made durable (so it was not accepted). */
export function storeUnavailable (message: string) {
  return withDetails(new codes.PRETRADE_ERR_STORE_UNAVAILABLE(message), 'body', 'records must be stored before they are accepted')
}

/** A 503 for method "book" when no order book can be had. */
export function bookUnavailable (message: string) {
  return withDetails(new codes.PRETRADE_ERR_BOOK_UNAVAILABLE(message), 'body/method', 'a live order book must be available')
}

export function jobUnavailable () {
  return withDetails(new codes.PRETRADE_ERR_JOB_UNAVAILABLE(), 'config/MARKET_DATA_SOURCE', 'bybit')
}

/** A 503 for a relayed recalibration that the leader did not answer. */
export function leaderUnavailable (message: string) {
  return withDetails(new codes.PRETRADE_ERR_LEADER_UNAVAILABLE(message), 'config/RECALIBRATE_RELAY_TIMEOUT_MS', 'a replica holding the leader lock answers in time')
}

export function registryUnavailable (message: string) {
  return withDetails(new codes.PRETRADE_ERR_REGISTRY_UNAVAILABLE(message), 'config/REDIS_URL', 'a reachable Redis model registry')
}

export function versionNotFound (message: string) {
  return withDetails(new codes.PRETRADE_ERR_VERSION_NOT_FOUND(message), 'body/version', 'a kept version')
}

export function versionExists (message: string) {
  return withDetails(new codes.PRETRADE_ERR_VERSION_EXISTS(message), 'body/version', 'unique per content')
}

/** The 429 of a rate-limited admin request (thrown by @fastify/rate-limit, rendered by the error handler). */
export function rateLimited (max: number, window: string) {
  return withDetails(new codes.PRETRADE_ERR_RATE_LIMITED(max, window), 'headers/x-api-key', `at most ${max} admin requests per ${window}`)
}

/** The 403 of an admin request while no ADMIN_API_KEY is configured. */
export function adminDisabled () {
  return withDetails(new codes.PRETRADE_ERR_ADMIN_DISABLED(), 'headers/x-api-key', 'ADMIN_API_KEY must be configured')
}

/** The 401 of an admin request without the configured key. */
export function unauthorized () {
  return withDetails(new codes.PRETRADE_ERR_UNAUTHORIZED(), 'headers/x-api-key', 'must equal the configured admin key')
}

/**
 * The 503 of a request shed under load.
 * @param rule the limit that is exceeded
 * @param measured the measured value, as ' (12 ms)', or ''
 */
export function overloaded (rule: string, measured: string, retryAfterSec: number) {
  return withDetails(new codes.PRETRADE_ERR_OVERLOADED(measured, retryAfterSec), 'server', rule)
}

/** The 503 of /ready before any model is loaded (no field or rule: nothing in the request is wrong). */
export function notReady () {
  return new codes.PRETRADE_ERR_NOT_READY()
}

/** The 503 of a request refused because the server is closing (sent from a hook with `sendError`). */
export function shuttingDown () {
  return withDetails(new codes.PRETRADE_ERR_SHUTTING_DOWN(), 'server', 'the server must be running')
}
