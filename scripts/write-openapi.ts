import { mkdirSync, writeFileSync } from 'node:fs'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { loadEmbeddedMarketState } from '../src/market/market-state.js'
import { loadEmbeddedModels } from '../src/models/embedded-models.js'
import { ModelStore } from '../src/models/model-store.js'
import { FileTcaStore } from '../src/store/tca-store.js'

/** The OpenAPI document exactly as the app serves it at /docs/json, pretty-printed. */
export function formatOpenapi (doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`
}

/** `npm run openapi`: regenerates openapi/openapi.json from the route schemas. */
async function main (): Promise<void> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' })
  const market = loadEmbeddedMarketState(config.MARKET_STATE_PATH, config)
  const models = new ModelStore({ defaultSet: loadEmbeddedModels(config.MODELS_PATH), bySymbol: new Map() })
  const app = await buildApp({ config, market, models, tcaStore: new FileTcaStore(config.TCA_STORE_PATH) })
  await app.ready()
  mkdirSync('openapi', { recursive: true })
  writeFileSync('openapi/openapi.json', formatOpenapi(app.swagger()))
  await app.close()
  process.stdout.write('wrote openapi/openapi.json\n')
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
