import type { Scenario } from '../scenarios.js'
import { runLoad, type LoadOptions, type LoadResult } from './load.js'
import { medianOf } from './stats.js'

/** Background work that runs exactly during a measured window (a model publisher, a training loop). */
export interface Activity {
  start: () => void
  /** stops and waits until the work in flight has finished */
  stop: () => Promise<void>
}

/**
 * One side of a comparison: a server, optionally with background work while it is measured. With
 * several urls (identical server processes), repetition r measures urls[r % urls.length], so the
 * median is over several pairs of processes: in one run here two servers of the same build (log
 * levels info and silent, neither logging per request) measured 1.24-1.33x apart in all five pairs.
 */
export interface Contender {
  label: string
  urls: readonly string[]
  activity?: Activity
}

/** A contender's figures: the median of each metric over its runs, and the runs themselves. */
export interface Measured {
  label: string
  /** requests or items (orders) per second, per the scenario's unit */
  perSec: number
  requestsPerSec: number
  p50Ms: number
  p99Ms: number
  p999Ms: number
  non2xx: number
  /** responses per status code other than 200, summed over the runs */
  otherStatuses: Record<string, number>
  errors: number
  runs: LoadResult[]
}

function summarise (label: string, runs: LoadResult[], itemsPerRequest: number): Measured {
  const requestsPerSec = medianOf(runs.map((r) => r.requestsPerSec))
  return {
    label,
    perSec: requestsPerSec * itemsPerRequest,
    requestsPerSec,
    p50Ms: medianOf(runs.map((r) => r.p50Ms)),
    p99Ms: medianOf(runs.map((r) => r.p99Ms)),
    p999Ms: medianOf(runs.map((r) => r.p999Ms)),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    otherStatuses: runs.reduce<Record<string, number>>((sum, r) => {
      for (const [code, n] of Object.entries(r.otherStatuses)) sum[code] = (sum[code] ?? 0) + n
      return sum
    }, {}),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    runs
  }
}

/**
 * Warm-up before a contender's later runs on the same process in one comparison: its JIT is warm, only
 * the connections are new. A process's first run in a comparison gets the full `warmupSec` (default 8 s),
 * right before it is measured, on both sides alike: a process speeds up over its first ~10 s of load,
 * and in one of two A/B runs of twin processes, the one that had sat idle for 2 minutes measured 0.70
 * and 0.82 of its twin on its next run after a 2 s warm-up (the runs either side: 0.92-0.96). Warming
 * every process once up front instead left ours, measured in every row, the more recently used side.
 */
const LATER_WARMUP_SEC = 1

/**
 * Measures every contender on the scenario `reps` times, rotating the order each repetition
 * (A B C, B C A, ...) so that drift on a shared machine hits every contender alike.
 */
export async function compare (scenario: Scenario, contenders: readonly Contender[], reps: number, options: LoadOptions, progress: (line: string) => void): Promise<Measured[]> {
  const runs = new Map<string, LoadResult[]>(contenders.map((c) => [c.label, []]))
  for (let rep = 0; rep < reps; rep++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + rep) % contenders.length]
      // a process's first run on the scenario gets the full warm-up
      const load = rep < c.urls.length ? options : { ...options, warmupSec: Math.min(options.warmupSec, LATER_WARMUP_SEC) }
      const result = await runLoad({ url: c.urls[rep % c.urls.length], path: scenario.path, body: scenario.body }, load, {
        before: () => c.activity?.start(),
        after: async () => await c.activity?.stop()
      })
      runs.get(c.label)?.push(result)
      const bad = result.non2xx + result.errors > 0 ? `  non-2xx ${result.non2xx}, errors ${result.errors}` : ''
      progress(`  ${scenario.name} [${c.label}] rep ${rep + 1}/${reps}: ${Math.round(result.requestsPerSec)} req/s, p99 ${result.p99Ms.toFixed(2)} ms${bad}`)
    }
  }
  const units = scenario.unit === 'orders' ? scenario.items : 1
  return contenders.map((c) => summarise(c.label, runs.get(c.label) ?? [], units))
}
