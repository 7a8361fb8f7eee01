/**
 * Options of BybitClient: defaults in one place, every option checked once at construction
 * (naming the bad one, as undici's `lib/dispatcher/client.js` does), then frozen.
 */
import type { Dispatcher } from 'undici'
import type { BybitError } from './errors.js'

/** Passed to `onRetry` before each wait. */
export interface RetryInfo {
  endpoint: string
  /** 1 for the first retry */
  retry: number
  /** how long the client waits before the retry */
  delayMs: number
  error: BybitError
}

export interface BybitClientOptions {
  /** base URL, e.g. https://api.bybit.com (a path prefix is kept) */
  restUrl: string
  /** deadline of one attempt, headers and body, default 5000 */
  timeoutMs?: number
  /** retries after the first attempt, default 4 */
  maxRetries?: number
  /** first backoff ceiling, default 200; the ceiling doubles per retry */
  baseBackoffMs?: number
  /** cap of the backoff ceiling, default 5000 */
  maxBackoffMs?: number
  /** cap of a wait until X-Bapi-Limit-Reset-Timestamp, default 2 * maxBackoffMs */
  maxRateLimitWaitMs?: number
  /** undici dispatcher (Agent, Pool, MockAgent); default undici's global dispatcher */
  dispatcher?: Dispatcher
  /** waits between retries; default setTimeout (unref'd) */
  sleep?: (ms: number) => Promise<void>
  /** clock for the rate-limit reset header; default Date.now */
  nowMs?: () => number
  /** uniform [0, 1) for the jitter; default Math.random */
  random?: () => number
  onRetry?: (info: RetryInfo) => void
}

export type ResolvedClientOptions = Readonly<Required<Omit<BybitClientOptions, 'dispatcher' | 'onRetry'>> & Pick<BybitClientOptions, 'dispatcher' | 'onRetry'>>

export const DEFAULT_CLIENT_OPTIONS = {
  timeoutMs: 5000,
  maxRetries: 4,
  baseBackoffMs: 200,
  maxBackoffMs: 5000
} as const

function defaultSleep (ms: number): Promise<void> {
  return new Promise((resolve) => { setTimeout(resolve, ms).unref() })
}

function checkNumber (options: Record<string, unknown>, key: string, rule: { integer?: boolean, min: number, exclusiveMin?: boolean }): void {
  const value = options[key]
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`BybitClient: options.${key} must be a number (got ${typeof value})`)
  if (!Number.isFinite(value) || (rule.integer === true && !Number.isInteger(value))) throw new RangeError(`BybitClient: options.${key} must be a finite ${rule.integer === true ? 'integer' : 'number'} (got ${value})`)
  if (rule.exclusiveMin === true ? !(value > rule.min) : !(value >= rule.min)) throw new RangeError(`BybitClient: options.${key} must be ${rule.exclusiveMin === true ? '>' : '>='} ${rule.min} (got ${value})`)
}

/**
 * Applies defaults and validates.
 * @throws TypeError / RangeError naming the option, e.g. `options.timeoutMs must be > 0`.
 */
export function resolveClientOptions (options: BybitClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('BybitClient: options must be an object')
  if (typeof options.restUrl !== 'string') throw new TypeError('BybitClient: options.restUrl must be a string')
  let url: URL
  try {
    url = new URL(options.restUrl)
  } catch {
    throw new TypeError(`BybitClient: options.restUrl must be an absolute URL (got ${JSON.stringify(options.restUrl)})`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`BybitClient: options.restUrl must be http(s) (got ${url.protocol})`)
  if (url.search !== '' || url.hash !== '') throw new TypeError('BybitClient: options.restUrl must have no query or fragment')
  const maxBackoffMs = options.maxBackoffMs ?? DEFAULT_CLIENT_OPTIONS.maxBackoffMs
  const resolved = {
    restUrl: options.restUrl.replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? DEFAULT_CLIENT_OPTIONS.timeoutMs,
    maxRetries: options.maxRetries ?? DEFAULT_CLIENT_OPTIONS.maxRetries,
    baseBackoffMs: options.baseBackoffMs ?? DEFAULT_CLIENT_OPTIONS.baseBackoffMs,
    maxBackoffMs,
    maxRateLimitWaitMs: options.maxRateLimitWaitMs ?? 2 * maxBackoffMs,
    dispatcher: options.dispatcher,
    sleep: options.sleep ?? defaultSleep,
    nowMs: options.nowMs ?? Date.now,
    random: options.random ?? Math.random,
    onRetry: options.onRetry
  }
  checkNumber(resolved, 'timeoutMs', { integer: true, min: 0, exclusiveMin: true })
  checkNumber(resolved, 'maxRetries', { integer: true, min: 0 })
  checkNumber(resolved, 'baseBackoffMs', { min: 0 })
  checkNumber(resolved, 'maxBackoffMs', { min: resolved.baseBackoffMs })
  checkNumber(resolved, 'maxRateLimitWaitMs', { min: 0 })
  for (const key of ['sleep', 'nowMs', 'random'] as const) {
    if (typeof resolved[key] !== 'function') throw new TypeError(`BybitClient: options.${key} must be a function`)
  }
  if (resolved.onRetry !== undefined && typeof resolved.onRetry !== 'function') throw new TypeError('BybitClient: options.onRetry must be a function')
  if (resolved.dispatcher !== undefined && (typeof resolved.dispatcher !== 'object' || typeof resolved.dispatcher.dispatch !== 'function')) {
    throw new TypeError('BybitClient: options.dispatcher must be an undici Dispatcher')
  }
  return Object.freeze(resolved)
}
