/**
 * `npm run fuzz -- [--cases 10000] [--seed N] [--endpoint 'POST /v1/estimate'] [--path P] [--url http://127.0.0.1:3000] [--admin-key K]`
 *
 * Drives every endpoint with random and hostile requests (fast-check) and checks each response:
 * only 2xx and 4xx (or a documented 503 of a server without live data or Redis), JSON errors that
 * name code, field and rule, every number finite, no body over the route's limit parsed. After each
 * endpoint the server must still be healthy (GET /health, and the same known-good estimate).
 * In process on embedded defaults by default; with --url against a running server (its body
 * limits are read from this process's environment, as the server would read them). Exits 1 on any failure.
 */
import { parseArgs } from 'node:util'
import type { FastifyInstance } from 'fastify'
import { loadConfig } from '../src/config.js'
import { noRouteSpec, routesOf, specsFromOpenApi, uncoveredRoutes, undocumentedSpecs } from './lib/fuzz-endpoints.js'
import {
  DEPENDENCY_503_CODES, FUZZ_ADMIN_KEY, bodyLimitsFor, buildFuzzApp, formatReport, fuzzEndpoint, httpSender, injectSender,
  probeServer, prototypeSnapshot, type Send
} from './lib/fuzz-driver.js'

function positiveInt (name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`fuzz: --${name} must be a non-negative integer (got ${JSON.stringify(text)})`)
  return value
}

async function main (): Promise<number> {
  const { values } = parseArgs({
    options: {
      cases: { type: 'string' },
      seed: { type: 'string' },
      endpoint: { type: 'string', multiple: true },
      path: { type: 'string' },
      url: { type: 'string' },
      'admin-key': { type: 'string' },
      'timeout-ms': { type: 'string' }
    }
  })
  const numRuns = positiveInt('cases', values.cases, 10_000)
  const seed = positiveInt('seed', values.seed, Math.floor(Math.random() * 2 ** 31))
  const timeoutMs = positiveInt('timeout-ms', values['timeout-ms'], 30_000)
  if (values.path !== undefined && values.endpoint?.length !== 1) throw new Error('fuzz: --path replays one failure: give exactly one --endpoint (and its --seed)')

  let send: Send
  let close: () => Promise<void>
  let app: FastifyInstance | undefined
  let config
  const allowed503 = new Set(DEPENDENCY_503_CODES)
  if (values.url !== undefined) {
    const http = httpSender(values.url, timeoutMs)
    send = http.send
    close = http.close
    config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' })
    // a real server may shed load (MAX_EVENT_LOOP_DELAY_MS); the in-process one never does
    allowed503.add('PRETRADE_ERR_OVERLOADED')
  } else {
    const fuzzApp = await buildFuzzApp()
    app = fuzzApp.app
    config = fuzzApp.config
    send = injectSender(app, timeoutMs)
    close = fuzzApp.close
  }
  const adminKey = values.url !== undefined ? values['admin-key'] : FUZZ_ADMIN_KEY
  const target = values.url ?? 'in process, embedded defaults'
  let failed = false
  try {
    const { doc, knownSymbols, baseline } = await probeServer(send)
    const specs = [
      ...specsFromOpenApi(doc, { knownSymbols, bodyLimitBytes: bodyLimitsFor(config), ...(adminKey !== undefined ? { adminKey } : {}) }),
      ...undocumentedSpecs(),
      noRouteSpec()
    ]
    if (app !== undefined) {
      const missing = uncoveredRoutes(routesOf(app), specs)
      if (missing.length > 0) {
        failed = true
        process.stdout.write(`routes without a fuzz generator: ${missing.join(', ')}\n`)
      }
    }
    const wanted = values.endpoint
    const selected = wanted === undefined ? specs : specs.filter((s) => wanted.some((w) => s.name === w || s.name.endsWith(` ${w}`)))
    if (selected.length === 0) throw new Error(`fuzz: no endpoint matches ${JSON.stringify(wanted)}; endpoints: ${specs.map((s) => s.name).join(', ')}`)
    process.stdout.write(`fuzz: ${target}, seed ${seed}, ${numRuns} cases per endpoint, ${selected.length} endpoints${adminKey === undefined ? ' (no admin key: admin routes get wrong or missing keys only)' : ''}\n`)
    const prototypeBefore = prototypeSnapshot()
    const startedMs = Date.now()
    for (const spec of selected) {
      const report = await fuzzEndpoint(spec, send, baseline, { numRuns, seed, allowed503, ...(values.path !== undefined ? { path: values.path } : {}) })
      process.stdout.write(formatReport(report) + '\n')
      if (report.failure !== undefined || report.health.length > 0) failed = true
    }
    if (prototypeSnapshot() !== prototypeBefore) {
      failed = true
      process.stdout.write('Object.prototype or Array.prototype changed during the run (prototype pollution)\n')
    }
    process.stdout.write(`fuzz: ${failed ? 'FAILED' : 'passed'} in ${((Date.now() - startedMs) / 1000).toFixed(1)} s\n`)
  } finally {
    await close()
  }
  return failed ? 1 : 0
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
