import closeWithGrace from 'close-with-grace'
import { pino } from 'pino'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { loadEmbeddedMarketState } from './market/market-state.js'
import { loadEmbeddedModels } from './models/embedded-models.js'
import { ModelStore } from './models/model-store.js'
import { FileTcaStore } from './store/tca-store.js'

/** Entry point of `npm start`: config, embedded defaults, logger, graceful shutdown, listen. */
async function main (): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    process.exit(1)
  }
  const logger = pino({ level: config.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers["x-api-key"]'] })
  const market = loadEmbeddedMarketState(config.MARKET_STATE_PATH, config)
  const models = new ModelStore({ defaultSet: loadEmbeddedModels(config.MODELS_PATH), bySymbol: new Map() })
  const app = await buildApp({ config, market, models, tcaStore: new FileTcaStore(config.TCA_STORE_PATH) }, { loggerInstance: logger })

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'shutting down after an error')
    else logger.info({ signal }, 'shutting down')
    await app.close()
  })

  await app.listen({ port: config.PORT, host: config.HOST })
  logger.info({ symbols: market.symbols(), models: models.catalog().defaultSet.sqrt.version }, 'pretrade ready')
}

main().catch((err: unknown) => {
  process.stderr.write(`pretrade failed to start: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
