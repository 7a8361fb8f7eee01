/* eslint-disable no-new -- prom-client metrics register themselves with the registry they are constructed with */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client'
import { HttpRequestStats } from './http-stats.js'
import type { AppDeps } from '../deps.js'
import { MODEL_NAMES } from '../models/impact-model.js'
import { symbolCalibration } from '../services/calibration.js'

/** The calibration gauges cover the fills of this window (the Redis stream's default retention). */
export const CALIBRATION_METRICS_WINDOW_MS = 7 * 86_400_000
/** They are recomputed from the store at most this often; scrapes in between reuse them. */
const CALIBRATION_METRICS_TTL_MS = 60_000

/** Latency buckets in seconds: the hot path answers in well under a millisecond, a 10k batch in tens. */
const LATENCY_BUCKETS_SECONDS = [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
const OUTCOMES = ['published', 'kept', 'failed'] as const

/**
 * Prometheus metrics for one app, on its own registry (several apps in one process, as in the
 * tests, never share series). Requests are counted and timed in an onResponse hook per route (HttpRequestStats); everything
 * else (models, job, Redis, Bybit) is read from the dependencies when /metrics is scraped, so it
 * costs nothing between scrapes. Requests slower than SLOW_REQUEST_MS are logged with their id.
 */
export function registerMetrics (app: FastifyInstance, deps: AppDeps): Registry {
  const registry = new Registry()
  // process and runtime series, among them nodejs_eventloop_lag_* (event-loop lag)
  collectDefaultMetrics({ register: registry })

  const http = new HttpRequestStats(LATENCY_BUCKETS_SECONDS)
  const slowMs = deps.config.SLOW_REQUEST_MS

  const record = (request: FastifyRequest, reply: FastifyReply, route: string): void => {
    const ms = reply.elapsedTime
    http.observe(request.method, route, reply.statusCode, ms / 1000)
    if (slowMs > 0 && ms > slowMs) request.log.warn({ route, statusCode: reply.statusCode, ms: Math.round(ms) }, 'slow request')
  }
  // every route gets its own onResponse hook holding its template (never the raw URL, so label
  // cardinality stays bounded): reading request.routeOptions instead builds a 13-field object a request
  app.addHook('onRoute', (route) => {
    const url = route.url
    const hook = (request: FastifyRequest, reply: FastifyReply, done: () => void): void => { record(request, reply, url); done() }
    route.onResponse = route.onResponse === undefined ? [hook] : [...[route.onResponse].flat(), hook]
  })
  // requests no route matched (404s, and errors before routing) share one label
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) record(request, reply, 'unmatched')
    done()
  })

  new Gauge({
    name: 'pretrade_model_info',
    help: 'The active model version per symbol ("*": the models every other symbol is served with); the value is always 1',
    labelNames: ['symbol', 'model', 'version', 'source'],
    registers: [registry],
    collect () {
      this.reset()
      if (!deps.models.ready) return
      const catalog = deps.models.catalog()
      const symbols = new Set([...deps.market.symbols(), ...catalog.bySymbol.keys()])
      const sets = [...[...symbols].map((symbol) => [symbol, deps.models.modelsFor(symbol)] as const), ['*', catalog.defaultSet] as const]
      for (const [symbol, set] of sets) {
        for (const name of MODEL_NAMES) this.set({ symbol, model: name, version: set[name].version, source: set[name].source }, 1)
      }
    }
  })

  registerCalibrationMetrics(registry, deps, (err) => app.log.warn({ err }, 'calibration metrics: the TCA store could not be read'))
  if (deps.job !== undefined) registerJobMetrics(registry, deps.job)
  if (deps.registryStatus !== undefined) {
    const status = deps.registryStatus
    new Gauge({ name: 'pretrade_redis_up', help: '1 while the Redis model registry answers, else 0', registers: [registry], collect () { this.set(status().connected ? 1 : 0) } })
  }
  if (deps.liveStatus !== undefined) registerBybitMetrics(registry, deps.liveStatus)

  app.get('/metrics', {
    // scraped by Prometheus; not part of the API the OpenAPI document describes
    schema: { hide: true },
    // scrapes must still answer while the replica sheds load: they show why it does
    config: { pressureHandler: () => undefined }
  }, async (_request, reply) => {
    const text = `${await registry.metrics()}\n${http.exposition()}`
    return await reply.type(registry.contentType).send(text)
  })
  return registry
}

/**
 * Mean z and band coverage of each symbol's scored TCA fills over the last
 * CALIBRATION_METRICS_WINDOW_MS (GET /v1/models/:symbol/calibration's overall cell), read from the
 * shared TCA store, so every replica reports the same; at most once a CALIBRATION_METRICS_TTL_MS.
 */
function registerCalibrationMetrics (registry: Registry, deps: AppDeps, onError: (err: unknown) => void): void {
  let cached: { atMs: number, rows: Array<{ symbol: string, n: number, meanZ?: number | null, bandCoverage?: number | null }> } | undefined
  const rows = async (): Promise<NonNullable<typeof cached>['rows']> => {
    const nowMs = Date.now()
    if (cached !== undefined && nowMs - cached.atMs < CALIBRATION_METRICS_TTL_MS) return cached.rows
    const out: NonNullable<typeof cached>['rows'] = []
    try {
      for (const symbol of deps.market.symbols()) {
        const { overall } = await symbolCalibration(deps.tcaStore, symbol, { since: nowMs - CALIBRATION_METRICS_WINDOW_MS }, nowMs)
        out.push({ symbol, n: overall.n, meanZ: overall.meanZ, bandCoverage: overall.bandCoverage })
      }
    } catch (err) {
      onError(err)
      return cached?.rows ?? []
    }
    cached = { atMs: nowMs, rows: out }
    return out
  }
  new Gauge({
    name: 'pretrade_calibration_fills',
    help: 'TCA fills of the symbol scored against their predicted cost over the last 7 days',
    labelNames: ['symbol'],
    registers: [registry],
    async collect () {
      this.reset()
      for (const r of await rows()) this.set({ symbol: r.symbol }, r.n)
    }
  })
  new Gauge({
    name: 'pretrade_calibration_mean_z',
    help: 'Mean z-score (realised minus predicted cost, over the predicted std) of the symbol\'s scored fills over the last 7 days; 0 when calibrated',
    labelNames: ['symbol'],
    registers: [registry],
    async collect () {
      this.reset()
      for (const r of await rows()) if (typeof r.meanZ === 'number') this.set({ symbol: r.symbol }, r.meanZ)
    }
  })
  new Gauge({
    name: 'pretrade_calibration_band_coverage',
    help: 'Share of the symbol\'s scored fills over the last 7 days inside their predicted p05-p95 band; 0.90 when calibrated',
    labelNames: ['symbol'],
    registers: [registry],
    async collect () {
      this.reset()
      for (const r of await rows()) if (typeof r.bandCoverage === 'number') this.set({ symbol: r.symbol }, r.bandCoverage)
    }
  })
}

function registerJobMetrics (registry: Registry, job: NonNullable<AppDeps['job']>): void {
  new Gauge({ name: 'pretrade_recalibration_runs', help: 'Recalibration runs started since the process started', registers: [registry], collect () { this.set(job.status().runs) } })
  new Gauge({ name: 'pretrade_recalibration_running', help: '1 while a recalibration run is in progress', registers: [registry], collect () { this.set(job.status().running ? 1 : 0) } })
  new Gauge({
    name: 'pretrade_recalibration_last_run_timestamp_seconds',
    help: 'When the last recalibration of the symbol finished (Unix time, seconds)',
    labelNames: ['symbol'],
    registers: [registry],
    collect () {
      this.reset()
      for (const outcome of Object.values(job.status().symbols)) this.set({ symbol: outcome.symbol }, outcome.finishedAtMs / 1000)
    }
  })
  new Gauge({
    name: 'pretrade_recalibration_last_outcome',
    help: 'Verdict of the symbol\'s last recalibration: 1 on its outcome (published, kept or failed), 0 on the others',
    labelNames: ['symbol', 'outcome'],
    registers: [registry],
    collect () {
      this.reset()
      for (const last of Object.values(job.status().symbols)) {
        for (const outcome of OUTCOMES) this.set({ symbol: last.symbol, outcome }, last.outcome === outcome ? 1 : 0)
      }
    }
  })
}

function registerBybitMetrics (registry: Registry, liveStatus: NonNullable<AppDeps['liveStatus']>): void {
  new Gauge({
    name: 'pretrade_bybit_rest_up',
    help: '1 when the symbol\'s last market-data refresh from Bybit REST succeeded, else 0',
    labelNames: ['symbol'],
    registers: [registry],
    collect () {
      this.reset()
      for (const [symbol, s] of Object.entries(liveStatus().market)) {
        this.set({ symbol }, s.lastSuccessMs !== undefined && s.lastSuccessMs >= (s.lastAttemptMs ?? 0) ? 1 : 0)
      }
    }
  })
  new Gauge({
    name: 'pretrade_market_state_age_seconds',
    help: 'Seconds since the symbol\'s market state was last refreshed from Bybit (absent until the first success)',
    labelNames: ['symbol'],
    registers: [registry],
    collect () {
      this.reset()
      const now = Date.now()
      for (const [symbol, s] of Object.entries(liveStatus().market)) {
        if (s.lastSuccessMs !== undefined) this.set({ symbol }, Math.max(0, now - s.lastSuccessMs) / 1000)
      }
    }
  })
  new Gauge({ name: 'pretrade_bybit_ws_up', help: '1 while the public trade WebSocket is connected, else 0', registers: [registry], collect () { this.set(liveStatus().tape.connected ? 1 : 0) } })
  new Gauge({ name: 'pretrade_bybit_ws_reconnects', help: 'Trade WebSocket connections opened after the first one', registers: [registry], collect () { this.set(liveStatus().tape.reconnects) } })
}
