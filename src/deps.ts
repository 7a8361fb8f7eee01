import type { Config } from './config.js'
import type { RecalibrationJob, SymbolOutcome } from './jobs/recalibrate.js'
import type { TapeState } from './market/market-data.js'
import type { SymbolRefreshStatus } from './market/live-market-state.js'
import type { MarketStateProvider } from './market/market-state.js'
import type { ModelName, ModelRecord } from './models/impact-model.js'
import type { ModelStore } from './models/model-store.js'
import type { BookSource } from './services/book-estimator.js'
import type { TcaStore } from './store/tca-store.js'

/**
 * What the HTTP app is built on: the composition root (runtime.ts) or a test makes these, app.ts
 * registers every route and plugin with them. Declared apart from app.ts so the routes that take
 * them as plugin options do not import the app that imports them.
 */
export interface AppDeps {
  config: Config
  market: MarketStateProvider
  models: ModelStore
  tcaStore: TcaStore
  /** live order books (method "book"); absent on embedded defaults */
  books?: BookSource
  /** the recalibration job, when live market data runs (its status) */
  job?: RecalibrationJob
  /** runs the job now: here, or on the leader replica when this one does not hold the lock */
  recalibrate?: (symbols: string[] | undefined) => Promise<SymbolOutcome[]>
  /** the Redis model registry (publish, rollback), when REDIS_URL is set */
  registry?: RegistryWriter
  /** registry connection and sync state for /ready and /v1/models */
  registryStatus?: () => { connected: boolean } & Record<string, unknown>
  /** live market-data status for /v1/models and /metrics */
  liveStatus?: () => LiveStatus
}

export interface LiveStatus {
  source: 'bybit'
  restUrl: string
  market: Record<string, SymbolRefreshStatus>
  tape: TapeState
}

/** What the admin model routes need of the registry (src/models/registry.ts). */
export interface RegistryWriter {
  publish: (symbol: string, record: ModelRecord) => Promise<{ version: string, removedVersions: string[] }>
  rollback: (symbol: string, name: ModelName, version: string) => Promise<void>
  versions: (symbol: string, name: ModelName) => Promise<Array<{ version: string, createdAtMs: number, active: boolean }>>
}
