/**
 * A clock that moves only when the test says so, and the repeating timer that goes with it, for
 * code that takes `nowMs` and an `every(task, periodMs)` timer (LeaderLock). `advance` moves the
 * clock and runs every task that falls due on the way, in time order, awaiting each: when it
 * resolves, everything the elapsed time should have done is done. No real time passes.
 */
export interface FakeClock {
  nowMs: () => number
  every: (task: () => Promise<void>, periodMs: number) => () => void
  /** moves the clock `ms` forward, running the due tasks at their due times, one after another */
  advance: (ms: number) => Promise<void>
  /** tasks registered and not cancelled */
  pending: () => number
}

interface Scheduled { task: () => Promise<void>, periodMs: number, dueMs: number, order: number }

export function fakeClock (startMs = 1_000_000): FakeClock {
  let nowMs = startMs
  let registered = 0
  const scheduled = new Set<Scheduled>()
  return {
    nowMs: () => nowMs,
    every: (task, periodMs) => {
      if (!(periodMs > 0)) throw new RangeError(`fakeClock.every: periodMs must be > 0 (got ${periodMs})`)
      const entry = { task, periodMs, dueMs: nowMs + periodMs, order: registered++ }
      scheduled.add(entry)
      return () => { scheduled.delete(entry) }
    },
    advance: async (ms) => {
      const targetMs = nowMs + ms
      for (;;) {
        let next: Scheduled | undefined
        for (const s of scheduled) {
          if (s.dueMs <= targetMs && (next === undefined || s.dueMs < next.dueMs || (s.dueMs === next.dueMs && s.order < next.order))) next = s
        }
        if (next === undefined) break
        nowMs = next.dueMs
        next.dueMs += next.periodMs
        await next.task()
      }
      nowMs = targetMs
    },
    pending: () => scheduled.size
  }
}
