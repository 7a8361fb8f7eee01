import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { loadConfig } from '../src/config.js'
import { isSymbol } from '../src/domain/symbol.js'
import { modelFromRecord, MODEL_NAMES, type ModelName, type ModelRecord } from '../src/models/impact-model.js'
import { ModelRegistry } from '../src/models/registry.js'
import { createRedis, whenReady } from '../src/store/redis-connection.js'

const USAGE = `usage:
  npm run models -- publish  --symbol BTCUSDT --file record.json   publish one record, or the records of one symbol written by recalibrate --out
  npm run models -- rollback --symbol BTCUSDT --name sqrt --version V
  npm run models -- versions --symbol BTCUSDT --name sqrt
Uses REDIS_URL (or REDIS_SENTINELS / REDIS_CLUSTER_NODES) and REDIS_PREFIX, like the service; the same validation as POST /v1/models/:symbol.`

/** `npm run models`: the registry's operator commands (publish, rollback, versions) from the command line. */
async function main (): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { symbol: { type: 'string' }, file: { type: 'string' }, name: { type: 'string' }, version: { type: 'string' } } })
  const [command] = positionals
  const symbol = values.symbol ?? ''
  const name = values.name as ModelName | undefined
  const valid = isSymbol(symbol) && (
    (command === 'publish' && values.file !== undefined) ||
    (command === 'rollback' && name !== undefined && MODEL_NAMES.includes(name) && values.version !== undefined) ||
    (command === 'versions' && name !== undefined && MODEL_NAMES.includes(name)))
  if (!valid) {
    process.stderr.write(`${USAGE}\n`)
    return 2
  }
  const config = loadConfig()
  const redis = createRedis(config)
  if (redis === undefined) {
    process.stderr.write('no registry: set REDIS_URL (or REDIS_SENTINELS / REDIS_CLUSTER_NODES)\n')
    return 2
  }
  if (!await whenReady(redis, 10_000)) {
    process.stderr.write('the registry\'s Redis did not answer within 10 s\n')
    redis.disconnect()
    return 1
  }
  const registry = new ModelRegistry({ redis, prefix: config.REDIS_PREFIX, keepVersions: config.MODEL_KEEP_VERSIONS, validate: modelFromRecord })
  try {
    if (command === 'publish') {
      const parsed = JSON.parse(readFileSync(values.file as string, 'utf8')) as ModelRecord | ModelRecord[] | Record<string, ModelRecord[]>
      const records = Array.isArray(parsed) ? parsed : 'name' in parsed ? [parsed as ModelRecord] : (parsed as Record<string, ModelRecord[]>)[symbol] ?? []
      if (records.length === 0) throw new Error(`no record for ${symbol} in ${values.file as string}`)
      for (const record of records) {
        const out = await registry.publish(symbol, { ...record, source: 'registry', createdAtMs: record.createdAtMs ?? Date.now() })
        process.stdout.write(`${JSON.stringify({ symbol, name: record.name, ...out })}\n`)
      }
    } else if (command === 'rollback') {
      await registry.rollback(symbol, name as ModelName, values.version as string)
      process.stdout.write(`${JSON.stringify({ symbol, name, version: values.version })}\n`)
    } else {
      process.stdout.write(`${JSON.stringify(await registry.versions(symbol, name as ModelName), null, 2)}\n`)
    }
    return 0
  } catch (err) {
    const code = (err as { code?: unknown }).code
    process.stderr.write(`${typeof code === 'string' ? `${code}: ` : ''}${(err as Error).message}\n`)
    return 1
  } finally {
    await redis.quit().catch(() => redis.disconnect())
  }
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`models failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
})
