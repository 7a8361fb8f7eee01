import type { Logger } from 'pino'
import type { AppDeps } from './deps.js'
import { configuredSymbols, type Config } from './config.js'
import { RecalibrationJob } from './jobs/recalibrate.js'
import { RecalibrateRelay, runOrRelay } from './jobs/recalibrate-relay.js'
import { sampleCollector } from './jobs/samples.js'
import { startSchedules, type Schedules } from './jobs/schedules.js'
import { TrainingThread } from './jobs/train-protocol.js'
import { BookCache } from './market/book-cache.js'
import { BybitClient } from './market/bybit/client.js'
import { TradeTape } from './market/bybit/trade-tape.js'
import { LiveMarketState } from './market/live-market-state.js'
import { loadEmbeddedMarketState } from './market/market-state.js'
import { loadEmbeddedModels } from './models/embedded-models.js'
import { ModelStore } from './models/model-store.js'
import { FileTcaStore } from './store/tca-store.js'
import { createRedisServices, type RedisServices } from './runtime-redis.js'
import { hourlySharesOf } from './services/execution.js'

export const JOB_SEED = 20_261_122

/** Everything the service runs: the app's dependencies and the background work around them. */
export interface Runtime {
  deps: AppDeps
  /** starts the trade tape, the first market refresh and the schedules (live mode only) */
  start: () => Promise<void>
  /** stops schedules, the tape and pending work; idempotent */
  stop: () => Promise<void>
  /** one market-state refresh of every symbol now (live mode; never throws) */
  refreshMarket: () => Promise<void>
}

/**
 * Composition root. On embedded defaults (MARKET_DATA_SOURCE=embedded) nothing runs in the
 * background. With MARKET_DATA_SOURCE=bybit: a Bybit client (BYBIT_REST_URL), live market state
 * refreshed on MARKET_REFRESH_CRON (embedded state until the first refresh succeeds), the public
 * trade tape (BYBIT_WS_URL), cached order books for method "book", and the recalibration job on
 * RECALIBRATE_CRON.
 */
export interface RuntimeOptions {
  /** run the cron schedules (default true; the one-shot CLI runs the job itself) */
  schedules?: boolean
  /** take the job's trades from /v5/market/recent-trade instead of the WebSocket tape (the CLI without --tape-minutes) */
  recentTradesOnly?: boolean
}

export function createRuntime (config: Config, logger: Logger, options: RuntimeOptions = {}): Runtime {
  const embedded = loadEmbeddedMarketState(config.MARKET_STATE_PATH, config)
  const models = new ModelStore({ defaultSet: loadEmbeddedModels(config.MODELS_PATH), bySymbol: new Map() })
  const redis: RedisServices | undefined = createRedisServices(config, logger, models)
  const tcaStore = redis?.tcaStore ?? new FileTcaStore(config.TCA_STORE_PATH)
  const registryDeps = redis !== undefined ? { registry: redis.registry, registryStatus: redis.status } : {}
  if (config.MARKET_DATA_SOURCE === 'embedded') {
    return {
      deps: { config, market: embedded, models, tcaStore, ...registryDeps },
      start: async () => { await redis?.start({ leaderLock: false }) },
      stop: async () => { await redis?.stop() },
      refreshMarket: async () => {}
    }
  }

  const symbols = configuredSymbols(config)
  const category = config.BYBIT_CATEGORY
  const client = new BybitClient({
    restUrl: config.BYBIT_REST_URL,
    timeoutMs: config.BYBIT_TIMEOUT_MS,
    maxRetries: config.BYBIT_MAX_RETRIES,
    onRetry: (info) => logger.warn({ retry: info }, 'bybit request retried')
  })
  const market = new LiveMarketState({
    client,
    category,
    symbols,
    fallback: embedded,
    volWindowMinutes: config.VOL_WINDOW_MINUTES,
    advWindowMinutes: config.ADV_WINDOW_MINUTES,
    // once per run of failures, and once when it ends
    onProfileEvent: (event) => {
      if (event.type === 'failed') logger.warn({ symbol: event.symbol, error: event.error }, 'volume profile fetch failed: the previous profile is kept (none: flat)')
      else logger.info({ symbol: event.symbol }, 'volume profile fetched again')
    }
  })
  const tape = new TradeTape({
    wsUrl: config.BYBIT_WS_URL,
    symbols,
    client,
    category,
    maxTradesPerSymbol: config.TAPE_MAX_TRADES,
    onEvent: (event) => {
      if (['closed', 'gap-fill-failed', 'subscribe-failed', 'stale', 'message-error'].includes(event.type)) logger.warn({ tape: event }, 'trade tape')
      else if (event.type === 'open' || event.type === 'gap-filled') logger.info({ tape: event }, 'trade tape')
    }
  })
  const books = new BookCache({ client, category, depth: config.BOOK_DEPTH, maxAgeMs: config.BOOK_MAX_AGE_MS })
  const collect = sampleCollector({
    // if Bybit cannot answer the refresh, the job's run fails and the published models stay
    refresh: async (symbol) => { await market.refreshSymbol(symbol) },
    tcaStore,
    trades: options.recentTradesOnly === true
      ? async (symbol) => await client.getRecentTrades({ category, symbol, limit: 1000 })
      : (symbol) => tape.trades(symbol),
    bars: (symbol) => market.bars(symbol),
    windowMinutes: config.RECALIBRATE_WINDOW_MINUTES,
    minSamples: config.RECALIBRATE_MIN_SAMPLES,
    volWindowMinutes: config.VOL_WINDOW_MINUTES,
    advWindowMinutes: config.ADV_WINDOW_MINUTES
  })
  const trainer = new TrainingThread({ restMs: config.TRAIN_REST_MS })
  const job = new RecalibrationJob({
    models,
    collectSamples: collect,
    train: async (request) => await trainer.train(request),
    // with a registry, the leader publishes there (fenced) and every replica, itself included, swaps via the sync
    ...(redis !== undefined ? { publish: redis.publish, canPublish: redis.canPublish } : {}),
    readTcaRecords: async (symbol, sinceMs) => await tcaStore.read(symbol, sinceMs),
    hourlyShares: (symbol) => hourlySharesOf(market.get(symbol)),
    logger
  }, {
    symbols,
    minSamples: config.RECALIBRATE_MIN_SAMPLES,
    gapMs: config.RECALIBRATE_GAP_MINUTES * 60_000,
    bucketMs: config.GATE_BUCKET_MINUTES * 60_000,
    seed: JOB_SEED
  })

  const relay = redis !== undefined
    ? new RecalibrateRelay({ redis: redis.redis, prefix: config.REDIS_PREFIX, isLeader: () => redis.lock.isLeader(), run: async (s) => await job.run(s), logger })
    : undefined
  const recalibrate = runOrRelay({ run: async (s) => await job.run(s), relay, isLeader: () => redis?.lock.isLeader() === true, timeoutMs: config.RECALIBRATE_RELAY_TIMEOUT_MS })

  let schedules: Schedules | undefined
  let firstRefresh: Promise<void> | undefined
  return {
    deps: {
      config,
      market,
      models,
      tcaStore,
      books,
      job,
      recalibrate,
      ...registryDeps,
      liveStatus: () => ({ source: 'bybit', restUrl: config.BYBIT_REST_URL, market: market.status(), tape: tape.state() })
    },
    start: async () => {
      await redis?.start({ leaderLock: options.schedules !== false })
      if (options.schedules !== false) relay?.start()
      if (options.recentTradesOnly !== true) tape.start()
      firstRefresh = market.refresh().then(() => logger.info({ market: market.status() }, 'market state refreshed'))
      if (options.schedules === false) return
      schedules = startSchedules([
        { name: 'market-refresh', cron: config.MARKET_REFRESH_CRON, run: async () => await market.refresh() },
        {
          name: 'recalibrate',
          cron: config.RECALIBRATE_CRON,
          // every replica has the schedule; with a registry only the leader-lock holder runs it
          run: async () => redis === undefined ? await job.run() : await redis.lock.runIfLeader(async () => await job.run())
        }
      ], logger)
    },
    stop: async () => {
      await schedules?.stop()
      schedules = undefined
      await firstRefresh
      await tape.stop()
      await relay?.stop()
      await job.idle()
      await trainer.close()
      await redis?.stop()
    },
    refreshMarket: async () => await market.refresh()
  }
}
