import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { isDeepStrictEqual } from 'node:util'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Pool } from 'undici'
import { buildApp, SMALL_BODY_LIMIT_BYTES } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { loadEmbeddedMarketState } from '../../src/market/market-state.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { ModelStore } from '../../src/models/model-store.js'
import { MODEL_BODY_LIMIT_BYTES } from '../../src/routes/model-admin.js'
import { FileTcaStore } from '../../src/store/tca-store.js'
import type { EndpointSpec, OpenApiDocument } from './fuzz-endpoints.js'
import { CONNECTION_CLOSED, responseProblem, type FuzzRequest, type FuzzResponse } from './fuzz-oracle.js'

export const FUZZ_ADMIN_KEY = 'fuzz-admin-key-0123456789'

/** The in-process fuzz server: embedded defaults, admin routes on, no admin rate limit or load shedding in the way. */
export const FUZZ_ENV: Record<string, string> = {
  LOG_LEVEL: 'silent',
  ADMIN_API_KEY: FUZZ_ADMIN_KEY,
  ADMIN_RATE_LIMIT_MAX: '1000000',
  MAX_EVENT_LOOP_DELAY_MS: '0'
}

/**
 * 503s that are the documented answer of a server without live market data or Redis (the fuzz
 * server): the recalibration job, the model registry and order books are unavailable there.
 */
export const DEPENDENCY_503_CODES = ['PRETRADE_ERR_JOB_UNAVAILABLE', 'PRETRADE_ERR_REGISTRY_UNAVAILABLE', 'PRETRADE_ERR_BOOK_UNAVAILABLE']

/** The README's first example: an order every server on embedded defaults prices. */
export const KNOWN_GOOD_ESTIMATE = '{"symbol":"BTCUSDT","side":"buy","qtyBase":25}'

export type Send = (req: FuzzRequest) => Promise<FuzzResponse>

/** Body limit of each route (src/app.ts SMALL_BODY_LIMIT_BYTES, the bodyLimit options in src/routes/*.ts). */
export function bodyLimitsFor (config: Config): (route: string) => number | undefined {
  return (route) => {
    switch (route) {
      case 'POST /v1/estimate/batch':
      case 'POST /v1/tca':
        return config.BODY_LIMIT_BYTES
      case 'POST /v1/models/:symbol':
        return MODEL_BODY_LIMIT_BYTES
      case 'POST /v1/models/:symbol/rollback':
      case 'POST /v1/admin/recalibrate':
        return 1024
      default:
        return route.startsWith('POST ') ? SMALL_BODY_LIMIT_BYTES : undefined
    }
  }
}

/** The app on embedded defaults with FUZZ_ENV, as the script runs it; close() also removes its TCA store. */
export async function buildFuzzApp (): Promise<{ app: FastifyInstance, config: Config, close: () => Promise<void> }> {
  const config = loadConfig(FUZZ_ENV)
  const dir = mkdtempSync(join(tmpdir(), 'pretrade-fuzz-'))
  const market = loadEmbeddedMarketState(config.MARKET_STATE_PATH, config)
  const models = new ModelStore({ defaultSet: loadEmbeddedModels(config.MODELS_PATH), bySymbol: new Map() })
  const app = await buildApp({ config, market, models, tcaStore: new FileTcaStore(join(dir, 'tca-records.jsonl')) })
  await app.ready()
  return { app, config, close: async () => { await app.close(); rmSync(dir, { recursive: true, force: true }) } }
}

function withTimeout<T> (promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no response within ${timeoutMs} ms (${what})`)), timeoutMs)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Sends in process with app.inject (no sockets; the same parser, hooks and handlers). */
export function injectSender (app: FastifyInstance, timeoutMs = 30_000): Send {
  return async (req) => {
    const res = await withTimeout(app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.body !== undefined ? { payload: req.body } : {}) }), timeoutMs, `${req.method} ${req.url}`)
    return { statusCode: res.statusCode, headers: res.headers, body: res.body }
  }
}

const CLOSED_CODES = new Set(['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET'])

/** Sends over HTTP with undici; the path goes on the wire verbatim (no URL normalisation on the client). */
export function httpSender (baseUrl: string, timeoutMs = 30_000): { send: Send, close: () => Promise<void> } {
  const pool = new Pool(baseUrl, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connections: 4 })
  const send: Send = async (req) => {
    try {
      const res = await pool.request({ path: req.url, method: req.method as 'GET', headers: req.headers, body: req.body })
      return { statusCode: res.statusCode, headers: res.headers, body: await res.body.text() }
    } catch (err) {
      // a server that refuses a large body answers 413 and closes the socket while the body is
      // still being written: the client then sees only the closed connection (status 0, judged by the oracle)
      const code = (err as { code?: string }).code
      if (code !== undefined && CLOSED_CODES.has(code)) return { statusCode: CONNECTION_CLOSED, headers: {}, body: `${code}: ${(err as Error).message}` }
      throw err
    }
  }
  return { send, close: async () => { await pool.close() } }
}

/** An estimate without what moves between two identical calls (the market state's age). */
function comparable (body: string): unknown {
  const estimate = JSON.parse(body) as { marketState?: Record<string, unknown> }
  return { ...estimate, marketState: { ...estimate.marketState, ageMs: undefined } }
}

export interface Probe {
  doc: OpenApiDocument
  knownSymbols: string[]
  /** the known-good estimate before fuzzing, to compare with after */
  baseline: unknown
}

/** Reads what the fuzzer needs from the server itself: its OpenAPI document, its symbols, one estimate. */
export async function probeServer (send: Send): Promise<Probe> {
  const get = async (url: string) => {
    const res = await send({ method: 'GET', url, headers: {} })
    if (res.statusCode !== 200) throw new Error(`fuzz: GET ${url} answered ${res.statusCode}`)
    return JSON.parse(res.body) as unknown
  }
  const doc = await get('/docs/json') as OpenApiDocument
  const models = await get('/v1/models') as { symbols: Array<{ symbol: string }> }
  const knownSymbols = models.symbols.map((s) => s.symbol).filter((s) => s !== '*')
  const estimate = await send({ method: 'POST', url: '/v1/estimate', headers: { 'content-type': 'application/json' }, body: KNOWN_GOOD_ESTIMATE })
  if (estimate.statusCode !== 200) throw new Error(`fuzz: the known-good estimate answered ${estimate.statusCode}: ${estimate.body}`)
  return { doc, knownSymbols, baseline: comparable(estimate.body) }
}

/**
 * What is wrong with the server after a run: /health must answer 200 and the known-good estimate
 * must give the same result as before (on live data the market state moves, so then only 200).
 */
export async function healthProblems (send: Send, baseline: unknown): Promise<string[]> {
  const problems: string[] = []
  try {
    const health = await send({ method: 'GET', url: '/health', headers: {} })
    if (health.statusCode !== 200) problems.push(`GET /health answered ${health.statusCode}`)
    const estimate = await send({ method: 'POST', url: '/v1/estimate', headers: { 'content-type': 'application/json' }, body: KNOWN_GOOD_ESTIMATE })
    if (estimate.statusCode !== 200) problems.push(`the known-good estimate answered ${estimate.statusCode}: ${estimate.body.slice(0, 300)}`)
    else {
      const live = (baseline as { marketState?: { source?: string } }).marketState?.source === 'bybit'
      if (!live && !isDeepStrictEqual(comparable(estimate.body), baseline)) problems.push(`the known-good estimate changed: ${estimate.body.slice(0, 300)}`)
    }
  } catch (err) {
    problems.push(`the server did not answer: ${(err as Error).message}`)
  }
  return problems
}

/** Names on Object.prototype and Array.prototype, and keys every `{}` would inherit: a pollution shows here. */
export function prototypeSnapshot (): string {
  const inherited: string[] = []
  for (const key in {}) inherited.push(key)
  return JSON.stringify([Object.getOwnPropertyNames(Object.prototype).sort(), Object.getOwnPropertyNames(Array.prototype).sort(), inherited])
}

export interface EndpointReport {
  name: string
  cases: number
  /** responses by status (5xx with their code), shrinking included */
  statuses: Record<string, number>
  failure?: { message: string, seed: number, path: string, counterexample: FuzzRequest }
  health: string[]
  elapsedMs: number
}

export interface FuzzOptions {
  numRuns: number
  seed: number
  /** fast-check's counterexample path, to replay one failure */
  path?: string
  allowed503: ReadonlySet<string>
}

/** Runs one endpoint's generator through the oracle, then checks the server is still healthy. */
export async function fuzzEndpoint (spec: EndpointSpec, send: Send, baseline: unknown, options: FuzzOptions): Promise<EndpointReport> {
  const startedMs = Date.now()
  const statuses: Record<string, number> = {}
  const oracle = { allowed503: options.allowed503, bodyLimitBytes: spec.bodyLimitBytes, redirects: spec.redirects }
  const details = await fc.check(fc.asyncProperty(spec.request, async (req) => {
    const res = await send(req)
    const key = res.statusCode === CONNECTION_CLOSED ? 'closed' : res.statusCode >= 500 ? `${res.statusCode} ${String((safeJson(res.body) as { code?: unknown } | undefined)?.code ?? '')}`.trim() : String(res.statusCode)
    statuses[key] = (statuses[key] ?? 0) + 1
    const problem = responseProblem(req, res, oracle)
    if (problem !== undefined) throw new Error(problem)
  }), { numRuns: options.numRuns, seed: options.seed, ...(options.path !== undefined ? { path: options.path } : {}) })
  const failure = details.failed && details.counterexample !== null
    ? { message: (details.errorInstance as Error | undefined)?.message ?? 'failed', seed: details.seed, path: details.counterexamplePath ?? '', counterexample: details.counterexample[0] }
    : undefined
  return { name: spec.name, cases: details.numRuns, statuses, ...(failure !== undefined ? { failure } : {}), health: await healthProblems(send, baseline), elapsedMs: Date.now() - startedMs }
}

function safeJson (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A request as text for the report: long bodies shortened, their length given. */
export function describeRequest (req: FuzzRequest): string {
  const body = req.body === undefined ? '(no body)' : typeof req.body === 'string' ? JSON.stringify(req.body.length > 600 ? req.body.slice(0, 600) + '…' : req.body) : `<${req.body.length} bytes: ${req.body.subarray(0, 64).toString('hex')}…>`
  const size = req.body === undefined ? '' : ` (${Buffer.byteLength(req.body)} bytes)`
  return `${req.method} ${req.url.length > 300 ? req.url.slice(0, 300) + '…' : req.url}\n      headers ${JSON.stringify(req.headers).slice(0, 300)}\n      body${size} ${body}`
}

export function formatReport (report: EndpointReport): string {
  const statuses = Object.entries(report.statuses).sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}:${n}`).join(' ')
  const lines = [`${report.name.padEnd(34)} ${String(report.cases).padStart(6)} cases  ${(report.elapsedMs / 1000).toFixed(1).padStart(6)} s  ${statuses}`]
  if (report.failure !== undefined) {
    lines.push(`  FAILED: ${report.failure.message}`)
    lines.push(`    counterexample: ${describeRequest(report.failure.counterexample)}`)
    lines.push(`    replay: npm run fuzz -- --endpoint '${report.name}' --seed ${report.failure.seed} --path '${report.failure.path}'`)
  }
  for (const problem of report.health) lines.push(`  UNHEALTHY after the run: ${problem}`)
  return lines.join('\n')
}
