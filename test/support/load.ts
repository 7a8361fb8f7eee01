import { Agent, request } from 'undici'
import { sleep } from './wait.js'

/**
 * A small load generator for fault tests: `concurrency` request loops on keep-alive connections
 * (an undici Agent of its own) against one URL for as long as a callback runs. Every request is
 * counted by outcome: HTTP status, or the connection-level error code (ECONNREFUSED, ECONNRESET,
 * UND_ERR_SOCKET...). No timing is measured: fault tests assert on counts.
 */
export interface LoadOptions {
  url: string
  /** parallel request loops, each waiting for its response before sending the next */
  concurrency: number
  /** JSON body of request `index` (0, 1, 2... across all loops); GET when absent */
  body?: (index: number) => unknown
  headers?: Record<string, string>
  /** what to keep from a 2xx response's parsed JSON body (e.g. the model version); absent: the body is discarded */
  pick?: (body: unknown) => unknown
  /** pause of a loop after a connection error, so a refused port is not hammered in a tight loop */
  errorPauseMs?: number
}

/** One request: its index, then its status or its connection error code, what `pick` kept, and a non-2xx body's `code`. */
export interface Outcome { index: number, status?: number, error?: string, picked?: unknown, code?: string }

export interface LoadReport {
  requests: number
  /** responses with a 2xx status */
  ok: number
  /** requests without a 2xx: non-2xx statuses plus connection errors */
  failed: number
  /** count per HTTP status */
  statuses: Record<number, number>
  /** count per connection error code */
  errors: Record<string, number>
  /** count per `code` of non-2xx JSON bodies (e.g. PRETRADE_ERR_STORE_UNAVAILABLE); "none" without one */
  codes: Record<string, number>
  /** every finished request, in completion order */
  outcomes: Outcome[]
}

/** A live view of the report while the callback runs (e.g. to wait until enough requests went by). */
export interface LoadProgress {
  report: () => LoadReport
  /** resolves once `count` more requests have finished after this call */
  moreRequests: (count: number) => Promise<void>
}

/**
 * Runs the request loops while `during` runs, then lets every loop finish its request in
 * flight and returns the callback's value and the report. If `during` throws, the loops still
 * stop before the error propagates.
 */
export async function underLoad<T> (options: LoadOptions, during: (progress: LoadProgress) => Promise<T>): Promise<{ value: T, report: LoadReport }> {
  const agent = new Agent({ connections: options.concurrency, keepAliveTimeout: 30_000, pipelining: 1 })
  const report: LoadReport = { requests: 0, ok: 0, failed: 0, statuses: {}, errors: {}, codes: {}, outcomes: [] }
  const waiters: Array<{ atRequests: number, resolve: () => void }> = []
  let next = 0
  let running = true

  const record = (outcome: Outcome): void => {
    report.requests++
    report.outcomes.push(outcome)
    if (outcome.status !== undefined) report.statuses[outcome.status] = (report.statuses[outcome.status] ?? 0) + 1
    if (outcome.error !== undefined) report.errors[outcome.error] = (report.errors[outcome.error] ?? 0) + 1
    if (outcome.code !== undefined) report.codes[outcome.code] = (report.codes[outcome.code] ?? 0) + 1
    if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) report.ok++
    else report.failed++
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (report.requests >= waiters[i].atRequests) waiters.splice(i, 1)[0].resolve()
    }
  }

  const one = async (index: number): Promise<Outcome> => {
    const payload = options.body?.(index)
    try {
      const res = await request(options.url, {
        dispatcher: agent,
        method: payload === undefined ? 'GET' : 'POST',
        headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) })
      })
      const ok = res.statusCode >= 200 && res.statusCode < 300
      if (ok && options.pick !== undefined) return { index, status: res.statusCode, picked: options.pick(await res.body.json()) }
      if (ok) {
        await res.body.dump()
        return { index, status: res.statusCode }
      }
      return { index, status: res.statusCode, code: errorCode(await res.body.text()) }
    } catch (err) {
      const e = err as { code?: string, cause?: { code?: string }, name?: string }
      return { index, error: e.code ?? e.cause?.code ?? e.name ?? 'unknown' }
    }
  }

  const loop = async (): Promise<void> => {
    // eslint-disable-next-line no-unmodified-loop-condition -- the flag is cleared by another async task
    while (running) {
      const outcome = await one(next++)
      record(outcome)
      if (outcome.error !== undefined) await sleep(options.errorPauseMs ?? 20)
    }
  }

  const loops = Array.from({ length: options.concurrency }, async () => await loop())
  const progress: LoadProgress = {
    report: () => report,
    moreRequests: async (count) => await new Promise((resolve) => { waiters.push({ atRequests: report.requests + count, resolve }) })
  }
  try {
    const value = await during(progress)
    return { value, report }
  } finally {
    running = false
    await Promise.all(loops)
    for (const w of waiters) w.resolve()
    await agent.destroy()
  }
}

function errorCode (text: string): string {
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code
    return typeof code === 'string' ? code : 'none'
  } catch {
    return 'none'
  }
}

/** A one-line summary for assertion messages: `1234 requests, 1230 ok; statuses {...}; codes {...}; errors {...}`. */
export function describeLoad (report: LoadReport): string {
  return `${report.requests} requests, ${report.ok} ok; statuses ${JSON.stringify(report.statuses)}; codes ${JSON.stringify(report.codes)}; errors ${JSON.stringify(report.errors)}`
}
