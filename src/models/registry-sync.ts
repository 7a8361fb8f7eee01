import { modelFromRecord, MODEL_NAMES, type ImpactModel, type ModelName, type ModelRecord, type ModelSet } from './impact-model.js'
import type { ModelStore } from './model-store.js'

/** What the sync needs of the registry (src/models/registry.ts). */
export interface RegistryReader {
  readActive: () => Promise<{ sets: Map<string, Partial<Record<ModelName, ModelRecord>>>, errors: Array<{ symbol: string, name: string, version: string, error: string }> }>
  activations: (symbol: string, name: ModelName) => Promise<Array<{ version: string, fromMs: number, record?: ModelRecord }>>
  subscribe: (onChange: (msg: { symbol: string, name: string, version: string }) => void, onError?: (err: unknown) => void, onResubscribed?: () => void) => Promise<{ close: () => Promise<void> }>
}

export interface RegistrySyncStatus {
  /** the last sync reached Redis */
  connected: boolean
  syncs: number
  lastSyncMs?: number
  lastError?: string
  /** records that failed validation and were left out (their slot keeps serving what it had) */
  rejected: Array<{ symbol: string, name: string, version: string, error: string }>
}

export interface RegistrySyncOptions {
  registry: RegistryReader
  store: ModelStore
  /** the periodic check that catches a missed notification, ms */
  checkEveryMs: number
  /** hook to re-sync when the Redis connection comes back (ioredis 'ready') */
  onReconnect?: (listener: () => void) => void
  logger: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void }
  nowMs?: () => number
}

/**
 * Keeps this replica's in-memory models equal to the registry's active versions: on every
 * pub/sub notification, on reconnect of either connection (the subscriber's once its channel is
 * live again; a replica that missed messages catches up by reading the pointers) and on a
 * periodic check. Each record is validated before it replaces anything; a
 * corrupt record is reported and its slot keeps serving the model it had. A swap replaces the
 * catalog reference once, so a request reads one version throughout; unchanged versions are not
 * swapped. Syncs are serialised; a sync requested during one runs once after it.
 * Each slot's version history (which version was active when, for the TCA's ModelStore.modelAt) is
 * read from the registry's activation log on the first sync and after every swap of that slot, so
 * every replica prices a past execution alike, however recently it started.
 */
export class RegistrySync {
  readonly #o: RegistrySyncOptions
  readonly #status: RegistrySyncStatus = { connected: false, syncs: 0, rejected: [] }
  #timer: NodeJS.Timeout | undefined
  #subscription: { close: () => Promise<void> } | undefined
  #subscribing: Promise<void> | undefined
  #running: Promise<void> | undefined
  #again = false
  #stopped = false
  /** the slots (`symbol:name`) whose activation log is adopted, up to their last swap */
  readonly #historyLoaded = new Set<string>()

  constructor (options: RegistrySyncOptions) {
    this.#o = options
  }

  status (): RegistrySyncStatus {
    return structuredClone(this.#status)
  }

  async start (): Promise<void> {
    this.#o.onReconnect?.(() => { void this.#ensureSubscribed().then(async () => await this.sync()) })
    await this.#ensureSubscribed()
    this.#timer = setInterval(() => { void this.#ensureSubscribed().then(async () => await this.sync()) }, this.#o.checkEveryMs)
    this.#timer.unref()
    await this.sync()
  }

  /** Subscribes to change notifications if not yet subscribed (Redis may be down at start: retried on reconnect and on each check). */
  async #ensureSubscribed (): Promise<void> {
    if (this.#subscription !== undefined || this.#stopped) return
    // one attempt at a time: start() and the first 'ready' both ask, and two would leave one connection unclosed
    this.#subscribing ??= (async () => {
      try {
        this.#subscription = await this.#o.registry.subscribe(
          () => { void this.sync() },
          (err) => this.#o.logger.warn({ err }, 'registry notification ignored'),
          // notices sent while the subscriber was down are lost, and the main connection may have
          // come back (and re-read) before they were sent: re-read once the channel is live again
          () => { void this.sync() })
      } catch (err) {
        this.#o.logger.warn({ err }, 'registry subscribe failed; retrying on reconnect and on the periodic check')
      }
    })().finally(() => { this.#subscribing = undefined })
    await this.#subscribing
  }

  async stop (): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await this.#running
    await this.#subscribing
    await this.#subscription?.close().catch(() => {})
  }

  /** Reads the active versions and swaps in what changed. Never throws. */
  async sync (): Promise<void> {
    if (this.#stopped) return
    if (this.#running !== undefined) {
      this.#again = true
      return await this.#running
    }
    this.#running = this.#syncOnce().finally(() => { this.#running = undefined })
    await this.#running
    if (this.#again) {
      this.#again = false
      await this.sync()
    }
  }

  async #syncOnce (): Promise<void> {
    const now = this.#o.nowMs ?? Date.now
    let active
    try {
      active = await this.#o.registry.readActive()
    } catch (err) {
      this.#status.connected = false
      this.#status.lastError = (err as Error).message
      return
    }
    this.#status.connected = true
    this.#status.syncs++
    this.#status.lastSyncMs = now()
    delete this.#status.lastError
    const rejected = [...active.errors]
    const catalog = this.#o.store.catalog()
    const swaps: Array<[string, Partial<ModelSet>]> = []
    for (const [symbol, records] of active.sets) {
      const current = catalog.bySymbol.get(symbol) ?? catalog.defaultSet
      const next: Partial<Record<ModelName, ImpactModel>> = {}
      for (const name of MODEL_NAMES) {
        const record = records[name]
        if (record === undefined || record.version === current[name].version) continue
        try {
          next[name] = modelFromRecord(record, `${symbol}.${name}`)
        } catch (err) {
          rejected.push({ symbol, name, version: record.version, error: (err as Error).message })
        }
      }
      if (Object.keys(next).length > 0) {
        swaps.push([symbol, next])
        this.#o.logger.info({ symbol, versions: Object.fromEntries(Object.entries(next).map(([n, m]) => [n, m.version])) }, 'models swapped from the registry')
      }
    }
    for (const r of rejected) this.#o.logger.warn({ rejected: r }, 'corrupt model record rejected; the old model keeps serving')
    this.#status.rejected = rejected
    if (swaps.length > 0) this.#o.store.swapSymbols(swaps)
    for (const [symbol, models] of swaps) for (const name of Object.keys(models)) this.#historyLoaded.delete(`${symbol}:${name}`)
    const slots = [...active.sets].flatMap(([symbol, records]) => MODEL_NAMES.filter((name) => records[name] !== undefined && !this.#historyLoaded.has(`${symbol}:${name}`)).map((name) => [symbol, name] as const))
    await Promise.all(slots.map(async ([symbol, name]) => { await this.#loadHistory(symbol, name) }))
  }

  /** Adopts one slot's activation log into the store; on failure the slot keeps its own history and is retried at the next sync. */
  async #loadHistory (symbol: string, name: ModelName): Promise<void> {
    let log
    try {
      log = await this.#o.registry.activations(symbol, name)
    } catch (err) {
      this.#o.logger.warn({ err, symbol, name }, 'model activation log unavailable; retried at the next sync')
      return
    }
    // one instance per version, the served one where it is served, so the active model is the history's last
    const known = new Map<string, ImpactModel>(this.#o.store.servedVersions(symbol, name).map((s) => [s.model.version, s.model]))
    const activeModel = this.#o.store.modelsFor(symbol)[name]
    known.set(activeModel.version, activeModel)
    const activations: Array<{ fromMs: number, model: ImpactModel }> = []
    for (const { version, fromMs, record } of log) {
      if (record === undefined) continue // trimmed or corrupt: the version before it prices its span
      let model = known.get(version)
      if (model === undefined || model.source === 'embedded') {
        try {
          model = modelFromRecord(record, `${symbol}.${name}`)
        } catch {
          continue
        }
        known.set(version, model)
      }
      activations.push({ fromMs, model })
    }
    this.#o.store.adoptActivations(symbol, name, activations, log[0]?.record !== undefined)
    this.#historyLoaded.add(`${symbol}:${name}`)
  }
}
