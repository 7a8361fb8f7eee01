import type { ImpactModel, ModelName, ModelSet } from './impact-model.js'

/** The models every symbol is served with: per-symbol sets where published, else the default. */
export interface ModelCatalog {
  readonly defaultSet: ModelSet
  readonly bySymbol: ReadonlyMap<string, ModelSet>
}

/** Versions remembered per symbol and model for modelAt from this replica's own swaps (a registry's activation log is adopted whole). */
export const MODEL_HISTORY_LENGTH = 20

/** One version of a model and when it became active (the registry's activation time, else its record's createdAtMs, the publish time; -Infinity: since the start). */
interface Served { fromMs: number, model: ImpactModel }

/** The history key of the default set, which serves every symbol without its own. */
const DEFAULT_KEY = '*'

/**
 * Holds the active model catalog in memory. A swap replaces one reference, so a request that
 * read the catalog once is served entirely by the versions it read.
 * It also keeps each model's history, so the TCA can price a past execution with the version
 * that was active when it started (modelAt). With a Redis registry the history is the registry's
 * activation log (adoptActivations), the same on every replica; without one, or before the log
 * begins, it is what this replica served since it started (the last MODEL_HISTORY_LENGTH, each
 * from its publish time). A time before all of them gets the oldest known.
 */
export class ModelStore {
  #catalog: ModelCatalog | undefined
  readonly #history = new Map<string, Map<ModelName, Served[]>>()

  constructor (initial?: ModelCatalog) {
    this.#catalog = initial
    if (initial !== undefined) this.#remember(initial)
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
    this.#remember(catalog)
  }

  /**
   * The version of `symbol`'s model `name` that was active at `atMs`: the latest served version
   * published at or before it (its record's createdAtMs), else the oldest known.
   * @throws Error if no models were loaded yet (see `ready`).
   */
  modelAt (symbol: string, name: ModelName, atMs: number): ImpactModel {
    const current = this.modelsFor(symbol)[name]
    const served = (this.#history.get(symbol) ?? this.#history.get(DEFAULT_KEY))?.get(name)
    if (served === undefined || served.length === 0) return current
    for (let i = served.length - 1; i >= 0; i--) if (served[i].fromMs <= atMs) return served[i].model
    return served[0].model
  }

  /** The versions of `symbol`'s model `name` this replica has served, oldest first, with when each became active (-Infinity: always). */
  servedVersions (symbol: string, name: ModelName): ReadonlyArray<Readonly<Served>> {
    return (this.#history.get(symbol) ?? this.#history.get(DEFAULT_KEY))?.get(name) ?? []
  }

  #remember (catalog: ModelCatalog): void {
    this.#rememberSet(DEFAULT_KEY, catalog.defaultSet)
    for (const [symbol, set] of catalog.bySymbol) this.#rememberSet(symbol, set)
  }

  /**
   * Makes `symbol`'s model `name` history the registry's activation log: `activations` oldest
   * first, each with the model of its record. `complete` says the log's first activation had its
   * record: what served before it is kept from this replica's own history; otherwise the first
   * known version is taken to have served since the start. An empty log changes nothing.
   */
  adoptActivations (symbol: string, name: ModelName, activations: ReadonlyArray<Readonly<Served>>, complete: boolean): void {
    if (activations.length === 0) return
    const byName = this.#historyOf(symbol)
    const logged = new Set(activations.map((a) => a.model.version))
    const before = complete ? (byName.get(name) ?? []).filter((s) => s.fromMs < activations[0].fromMs && !logged.has(s.model.version)) : []
    const adopted = [...before, ...activations.map((a) => ({ fromMs: a.fromMs, model: a.model }))]
    if (!complete) adopted[0].fromMs = -Infinity
    byName.set(name, adopted)
  }

  #historyOf (key: string): Map<ModelName, Served[]> {
    let byName = this.#history.get(key)
    if (byName === undefined) {
      // a symbol's first own set: its past is the default set's
      const base = this.#history.get(DEFAULT_KEY)
      byName = new Map([...(base ?? new Map<ModelName, Served[]>())].map(([name, served]) => [name, served.slice()]))
      this.#history.set(key, byName)
    }
    return byName
  }

  #rememberSet (key: string, set: ModelSet): void {
    const byName = this.#historyOf(key)
    for (const model of Object.values(set)) {
      const served = byName.get(model.name) ?? []
      byName.set(model.name, served)
      if (served.at(-1)?.model === model) continue
      // active from its publish time; a version older than the last one (a rollback) from now
      const createdAtMs = (model.record as { createdAtMs?: unknown }).createdAtMs
      const lastFromMs = served.at(-1)?.fromMs ?? -Infinity
      const fromMs = model.source === 'embedded' && served.length === 0 ? -Infinity : typeof createdAtMs === 'number' && createdAtMs >= lastFromMs ? createdAtMs : Math.max(lastFromMs, Date.now())
      served.push({ fromMs, model })
      if (served.length > MODEL_HISTORY_LENGTH) served.splice(0, served.length - MODEL_HISTORY_LENGTH)
    }
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
      const set = Object.freeze({ ...(bySymbol.get(symbol) ?? catalog.defaultSet), ...models })
      bySymbol.set(symbol, set)
      this.#rememberSet(symbol, set)
    }
    this.#catalog = { defaultSet: catalog.defaultSet, bySymbol }
  }
}
