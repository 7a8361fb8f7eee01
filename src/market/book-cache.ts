import type { MarketDataSource, Orderbook } from './market-data.js'
import type { Category } from './market-state.js'

/** Latest order-book snapshot per symbol, fetched at most once per `maxAgeMs` (concurrent callers share one fetch). */
export class BookCache {
  readonly #client: Pick<MarketDataSource, 'getOrderbook'>
  readonly #category: Category
  readonly #depth: number
  readonly #maxAgeMs: number
  readonly #nowMs: () => number
  readonly #books = new Map<string, { book: Orderbook, fetchedAtMs: number }>()
  readonly #pending = new Map<string, Promise<Orderbook>>()

  constructor (options: { client: Pick<MarketDataSource, 'getOrderbook'>, category: Category, depth: number, maxAgeMs: number, nowMs?: () => number }) {
    this.#client = options.client
    this.#category = options.category
    this.#depth = options.depth
    this.#maxAgeMs = options.maxAgeMs
    this.#nowMs = options.nowMs ?? Date.now
  }

  /** The category every snapshot is fetched in (BYBIT_CATEGORY): linear and spot sizes are base units, inverse sizes USD contracts. */
  get category (): Category {
    return this.#category
  }

  /** The snapshot of `symbol`, fresh within maxAgeMs. @throws the source's typed error (BybitError) when the venue cannot answer. */
  async get (symbol: string): Promise<{ book: Orderbook, fetchedAtMs: number }> {
    const cached = this.#books.get(symbol)
    if (cached !== undefined && this.#nowMs() - cached.fetchedAtMs <= this.#maxAgeMs) return cached
    let pending = this.#pending.get(symbol)
    if (pending === undefined) {
      pending = this.#client.getOrderbook({ category: this.#category, symbol, limit: this.#depth })
      this.#pending.set(symbol, pending)
      pending.then((book) => { this.#books.set(symbol, { book, fetchedAtMs: this.#nowMs() }) }, () => {}).finally(() => this.#pending.delete(symbol))
    }
    const book = await pending
    return this.#books.get(symbol) ?? { book, fetchedAtMs: this.#nowMs() }
  }
}
