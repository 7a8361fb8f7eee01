import autocannon from 'autocannon'
import { percentileOfSorted } from './stats.js'

export interface LoadOptions {
  connections: number
  /** measured window, seconds */
  durationSec: number
  /** unmeasured run just before, seconds (0: none) */
  warmupSec: number
}

export interface LoadTarget {
  /** base URL of the server, e.g. http://127.0.0.1:4000 */
  url: string
  path: string
  body: string
}

/** One measured autocannon run. Latencies are of 2xx responses, in ms, exact (not autocannon's integer-ms histogram). */
export interface LoadResult {
  requestsPerSec: number
  p50Ms: number
  p99Ms: number
  p999Ms: number
  responses2xx: number
  non2xx: number
  /** responses per status code other than 200, e.g. { "503": 12 } */
  otherStatuses: Record<string, number>
  /** connection errors, timeouts included */
  errors: number
  timeouts: number
  durationSec: number
}

async function cannon (target: LoadTarget, connections: number, durationSec: number, onResponse?: (status: number, ms: number) => void): Promise<autocannon.Result> {
  return await new Promise((resolve, reject) => {
    const instance = autocannon({
      url: target.url + target.path,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: target.body,
      connections,
      pipelining: 1,
      duration: durationSec
    }, (err: unknown, result: autocannon.Result) => { if (err !== null && err !== undefined) reject(err); else resolve(result) })
    if (onResponse !== undefined) instance.on('response', (_client, status, _bytes, ms) => onResponse(status, ms))
  })
}

/**
 * Warms the server up, then measures `durationSec` of closed-loop load (`connections` clients,
 * one request in flight each). Hooks run right before and after the measured window.
 */
export async function runLoad (target: LoadTarget, options: LoadOptions, hooks: { before?: () => void | Promise<void>, after?: () => void | Promise<void> } = {}): Promise<LoadResult> {
  if (options.warmupSec > 0) await cannon(target, options.connections, options.warmupSec)
  let latencies = new Float64Array(1 << 16)
  let count = 0
  await hooks.before?.()
  const start = process.hrtime.bigint()
  const result = await cannon(target, options.connections, options.durationSec, (status, ms) => {
    if (status < 200 || status > 299) return
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2)
      grown.set(latencies)
      latencies = grown
    }
    latencies[count++] = ms
  })
  const durationSec = Number(process.hrtime.bigint() - start) / 1e9
  await hooks.after?.()
  const sorted = latencies.subarray(0, count).sort()
  return {
    requestsPerSec: count / durationSec,
    p50Ms: percentileOfSorted(sorted, 0.5),
    p99Ms: percentileOfSorted(sorted, 0.99),
    p999Ms: percentileOfSorted(sorted, 0.999),
    responses2xx: count,
    non2xx: result.non2xx,
    otherStatuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).filter(([code]) => code !== '200').map(([code, s]) => [code, s.count ?? 0])),
    errors: result.errors,
    timeouts: result.timeouts,
    durationSec
  }
}
