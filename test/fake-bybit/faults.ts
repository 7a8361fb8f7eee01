/**
 * Faults of the fake Bybit, switched on per test. Rules apply in order of addition: each REST
 * request takes the first rule whose `path` matches (no path = every path), whose `query` values
 * all equal the request's (e.g. `{ interval: '60' }`; no query = any) and that has `times`
 * left, and that one rule's fault shapes the response; `times` then decrements (default: forever).
 * A `kline-gap` rule only matches /v5/market/kline requests. WebSocket upgrades only see rules whose
 * path is the WebSocket path exactly, and only `http-status` and `reset` act on them.
 */

export type Fault =
  | { kind: 'rate-limit', resetInMs: number }
  | { kind: 'http-status', status: 403 | 429 | 500 | 502 | 503 }
  | { kind: 'venue-error', retCode: number, retMsg: string }
  | { kind: 'slow', delayMs: number }
  | { kind: 'reset' }
  | { kind: 'malformed-json' }
  | { kind: 'bad-number', field: string }
  | { kind: 'kline-gap', missingBars: number }

export interface FaultRule { path?: string, query?: Record<string, string>, times?: number, fault: Fault }

export const KLINE_PATH = '/v5/market/kline'

/** Column names of a kline row `[startTime, open, high, low, close, volume, turnover]`. */
export const KLINE_COLUMNS = ['startTime', 'open', 'high', 'low', 'close', 'volume', 'turnover'] as const

/** The armed rules and their remaining counts. */
export class FaultBook {
  private rules: Array<{ path?: string, query?: Record<string, string>, left: number, fault: Fault }> = []

  /**
   * @throws {RangeError} on a negative or non-integer `times`.
   */
  add (rule: FaultRule): void {
    const left = rule.times ?? Infinity
    if (left !== Infinity && (!Number.isInteger(left) || left < 0)) throw new RangeError(`addFault: times must be a non-negative integer, got ${left}`)
    this.rules.push({ path: rule.path, query: rule.query, left, fault: rule.fault })
  }

  clear (): void {
    this.rules = []
  }

  /** The fault for one REST request to `path` with `query`, consuming one use of its rule. */
  takeForRequest (path: string, query: Record<string, string> = {}): Fault | undefined {
    const rule = this.rules.find((r) => r.left > 0 && (r.path === undefined || r.path === path) &&
      (r.query === undefined || Object.entries(r.query).every(([key, value]) => query[key] === value)) &&
      (r.fault.kind !== 'kline-gap' || path === KLINE_PATH))
    if (rule === undefined) return undefined
    rule.left -= 1
    return rule.fault
  }

  /** The fault for one WebSocket upgrade on `path` (rules naming that path exactly). */
  takeForUpgrade (path: string): Fault | undefined {
    const rule = this.rules.find((r) => r.left > 0 && r.path === path)
    if (rule === undefined) return undefined
    rule.left -= 1
    return rule.fault
  }
}

/**
 * Replaces one numeric string (or number) named `field` in `result` by "abc", in place.
 * Kline rows (`list` of arrays) use KLINE_COLUMNS and hit the middle row; order-book sides `b`/`a`
 * hit the price of the middle level; otherwise the first object key `field` found depth-first.
 * @returns whether a value was replaced.
 */
export function spoilNumber (result: unknown, field: string): boolean {
  if (result === null || typeof result !== 'object') return false
  const record = result as Record<string, unknown>
  const list = record.list
  const column = (KLINE_COLUMNS as readonly string[]).indexOf(field)
  if (column >= 0 && Array.isArray(list) && list.length > 0 && Array.isArray(list[0])) {
    const row = list[Math.floor(list.length / 2)] as string[]
    row[column] = 'abc'
    return true
  }
  if ((field === 'b' || field === 'a') && Array.isArray(record[field]) && (record[field] as unknown[]).length > 0) {
    const levels = record[field] as string[][]
    levels[Math.floor(levels.length / 2)][0] = 'abc'
    return true
  }
  return spoilKey(record, field)
}

function spoilKey (node: unknown, field: string): boolean {
  if (Array.isArray(node)) return node.some((child) => spoilKey(child, field))
  if (node === null || typeof node !== 'object') return false
  const record = node as Record<string, unknown>
  if (Object.hasOwn(record, field) && (typeof record[field] === 'string' || typeof record[field] === 'number')) {
    record[field] = 'abc'
    return true
  }
  return Object.values(record).some((child) => spoilKey(child, field))
}

/**
 * Drops `missingBars` consecutive rows from the middle of a kline `list`, in place, never the first
 * (open candle) or the last row; fewer when the list is too short.
 * @returns how many rows were dropped.
 */
export function dropMiddleBars (list: unknown[], missingBars: number): number {
  const droppable = Math.max(0, Math.min(missingBars, list.length - 2))
  if (droppable === 0) return 0
  const from = 1 + Math.floor((list.length - 2 - droppable) / 2)
  list.splice(from, droppable)
  return droppable
}

/** The body cut short mid-way: not parseable JSON. */
export function truncateJson (body: string): string {
  return body.slice(0, Math.max(1, Math.floor(body.length / 2)))
}
