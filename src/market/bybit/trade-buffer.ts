/**
 * A bounded, time-ordered, de-duplicated buffer of one symbol's trades (the tape's memory).
 * Trades are kept ascending by `tsMs` (ties in arrival order); a trade whose `id` is already held
 * is ignored (a duplicate has the same time, so only trades at that time are compared). When more
 * than `capacity` are held the oldest are dropped. Memory: at most 2 * capacity slots (the evicted
 * prefix is compacted once it reaches `capacity`). Appends in time order are O(1); a late trade costs
 * O(distance from the newest).
 */
import type { Trade } from '../market-data.js'

export class TradeBuffer {
  readonly capacity: number
  private items: Trade[] = []
  /** index of the oldest kept trade in `items` */
  private start = 0

  /** @throws RangeError unless capacity is a positive integer. */
  constructor (capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`TradeBuffer: capacity must be a positive integer (got ${capacity})`)
    this.capacity = capacity
  }

  get size (): number {
    return this.items.length - this.start
  }

  /** The newest trade, if any. */
  last (): Trade | undefined {
    return this.size === 0 ? undefined : this.items[this.items.length - 1]
  }

  /** Inserts trades (any order); returns how many were new. */
  insert (trades: readonly Trade[]): number {
    let added = 0
    for (const trade of trades) if (this.insertOne(trade)) added++
    this.evict()
    return added
  }

  private insertOne (trade: Trade): boolean {
    const last = this.last()
    if (last === undefined || trade.tsMs > last.tsMs) {
      this.items.push(trade)
      return true
    }
    let position = this.items.length
    for (let j = this.items.length - 1; j >= this.start && this.items[j].tsMs >= trade.tsMs; j--) {
      if (this.items[j].tsMs === trade.tsMs && this.items[j].id === trade.id) return false
      if (this.items[j].tsMs > trade.tsMs) position = j
    }
    this.items.splice(position, 0, trade)
    return true
  }

  private evict (): void {
    if (this.size > this.capacity) this.start = this.items.length - this.capacity
    if (this.start >= this.capacity) {
      this.items = this.items.slice(this.start)
      this.start = 0
    }
  }

  /**
   * Trades with sinceMs <= tsMs < untilMs (either bound optional), ascending, as a new array.
   * O(log n + k).
   */
  range (sinceMs?: number, untilMs?: number): Trade[] {
    const from = sinceMs === undefined ? this.start : this.lowerBound(sinceMs)
    const to = untilMs === undefined ? this.items.length : this.lowerBound(untilMs)
    return from < to ? this.items.slice(from, to) : []
  }

  /** First index in [start, length) whose tsMs >= ms. */
  private lowerBound (ms: number): number {
    let lo = this.start
    let hi = this.items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.items[mid].tsMs < ms) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
