import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../src/app.js'
import { loadConfig, type Config } from '../src/config.js'
import { loadEmbeddedMarketState } from '../src/market/market-state.js'
import { loadEmbeddedModels } from '../src/models/embedded-models.js'
import { ModelStore } from '../src/models/model-store.js'
import { FileTcaStore, type TcaStore } from '../src/store/tca-store.js'
import type { Teardown } from './support/teardown.js'

/** A TCA store in a fresh temporary directory, removed when the test ends. */
export function tempTcaStore (t: Teardown): FileTcaStore {
  const dir = mkdtempSync(join(tmpdir(), 'pretrade-tca-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return new FileTcaStore(join(dir, 'tca-records.jsonl'))
}

/** The app on the shipped embedded defaults, closed when the test ends (fastify/demo's build(t)). */
export async function build (t: Teardown, env: Record<string, string> = {}, overrides: { tcaStore?: TcaStore } = {}): Promise<FastifyInstance> {
  // load shedding is off unless a test turns it on: a busy test machine must not turn into 503s
  const config: Config = loadConfig({ LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0', ...env })
  const market = loadEmbeddedMarketState(config.MARKET_STATE_PATH, config)
  const models = new ModelStore({ defaultSet: loadEmbeddedModels(config.MODELS_PATH), bySymbol: new Map() })
  const app = await buildApp({ config, market, models, tcaStore: overrides.tcaStore ?? tempTcaStore(t) })
  t.teardown(async () => await app.close())
  await app.ready()
  return app
}

/** POSTs a JSON body (already an object, or a raw string sent as is). */
export async function post (app: FastifyInstance, url: string, body: unknown): Promise<LightMyRequestResponse> {
  return await app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    payload: typeof body === 'string' ? body : JSON.stringify(body)
  })
}

/** Every number anywhere in a parsed JSON value (to check they are all finite). */
export function numbersIn (value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value)
  else if (Array.isArray(value)) for (const v of value) numbersIn(v, out)
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) numbersIn(v, out)
  return out
}

/** True when the raw JSON text has no null (a number replaced by null would hide NaN/Infinity). */
export function hasNoNull (json: string): boolean {
  return !/:\s*null\b|\[\s*null\b|,\s*null\b/.test(json)
}

/** An estimate without marketState.ageMs, which moves with the clock between two calls. */
export function withoutAge (estimate: { marketState?: { ageMs?: number } }) {
  return { ...estimate, marketState: estimate.marketState === undefined ? undefined : { ...estimate.marketState, ageMs: undefined } }
}
