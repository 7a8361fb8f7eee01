import type { ModelSet } from './impact-model.js'

/** The models every symbol is served with: per-symbol sets where published, else the default. */
export interface ModelCatalog {
  readonly defaultSet: ModelSet
  readonly bySymbol: ReadonlyMap<string, ModelSet>
}

/**
 * Holds the active model catalog in memory. A swap replaces one reference, so a request that
 * read the catalog once is served entirely by the versions it read.
 */
export class ModelStore {
  #catalog: ModelCatalog | undefined

  constructor (initial?: ModelCatalog) {
    this.#catalog = initial
  }

  get ready (): boolean {
    return this.#catalog !== undefined
  }

  /** The active catalog. @throws Error if no models were loaded yet (see `ready`). */
  catalog (): ModelCatalog {
    if (this.#catalog === undefined) throw new Error('ModelStore: no models loaded')
    return this.#catalog
  }

  modelsFor (symbol: string): ModelSet {
    const catalog = this.catalog()
    return catalog.bySymbol.get(symbol) ?? catalog.defaultSet
  }

  replace (catalog: ModelCatalog): void {
    this.#catalog = catalog
  }

  /**
   * Swaps new models into some symbols' sets in one step: each symbol given is served its current
   * set (its own, else the default) with the given slots replaced; other symbols and the default
   * set are kept. The catalog reference changes once, so a request sees all of the swap or none.
   * @throws Error if no models were loaded yet (see `ready`).
   */
  swapSymbols (updates: Iterable<readonly [symbol: string, models: Partial<ModelSet>]>): void {
    const catalog = this.catalog()
    const bySymbol = new Map(catalog.bySymbol)
    for (const [symbol, models] of updates) {
      bySymbol.set(symbol, Object.freeze({ ...(bySymbol.get(symbol) ?? catalog.defaultSet), ...models }))
    }
    this.#catalog = { defaultSet: catalog.defaultSet, bySymbol }
  }
}
