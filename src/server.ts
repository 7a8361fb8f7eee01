import closeWithGrace from 'close-with-grace'
import { pino } from 'pino'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { createRuntime } from './runtime.js'

/** Entry point of `npm start`: config, runtime (embedded defaults or live Bybit data), graceful shutdown, listen. */
async function main (): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`)
    process.exit(1)
  }
  const logger = pino({ level: config.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'config.ADMIN_API_KEY', 'config.REDIS_URL', 'config.REDIS_SENTINEL_PASSWORD'] })
  const runtime = createRuntime(config, logger)
  const app = await buildApp(runtime.deps, { loggerInstance: logger })

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'shutting down after an error')
    else logger.info({ signal }, 'shutting down')
    await app.close()
    await runtime.stop()
  })

  await app.listen({ port: config.PORT, host: config.HOST })
  await runtime.start()
  logger.info({ marketData: config.MARKET_DATA_SOURCE, symbols: runtime.deps.market.symbols(), models: runtime.deps.models.catalog().defaultSet.sqrt.version }, 'pretrade ready')
}

main().catch((err: unknown) => {
  process.stderr.write(`pretrade failed to start: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
