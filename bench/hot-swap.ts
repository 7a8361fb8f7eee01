/**
 * Hot-swap scenario: our server on the machine's Redis under a private key prefix, and a
 * publisher in the bench process that puts a new sqrt model version for BTCUSDT into the
 * registry every second while the load runs (every replica swaps on the notification).
 */
import { Redis } from 'ioredis'
import { loadEmbeddedModels } from '../src/models/embedded-models.js'
import { modelFromRecord, type ModelRecord } from '../src/models/impact-model.js'
import { ModelRegistry } from '../src/models/registry.js'
import { deleteKeys } from '../test/support/redis-test.js'
import type { Activity } from './lib/compare.js'
import { postJson } from './lib/processes.js'

export const SWAP_SYMBOL = 'BTCUSDT'
export const SWAP_EVERY_MS = 1000

export interface HotSwap {
  /** server environment: the registry on Redis, periodic re-read effectively off (swaps come from notifications) */
  env: Record<string, string>
  publisher: Activity & { published: () => string[] }
  /** the model version the server answers with now */
  servedVersion: (serverUrl: string) => Promise<string>
  /** deletes every key under the prefix and disconnects; idempotent */
  close: () => Promise<{ keysDeleted: number }>
}

/** @throws Error when Redis does not answer at `redisUrl`. */
export async function hotSwap (redisUrl: string, modelsPath: string): Promise<HotSwap> {
  const prefix = `bench:${process.pid}:${Date.now()}:`
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
  // failures surface through the commands that fail; without a listener ioredis prints every reconnect attempt
  redis.on('error', () => {})
  try {
    await redis.connect()
  } catch (err) {
    redis.disconnect()
    throw new Error(`the hot-swap scenario needs Redis at ${redisUrl}: ${(err as Error).message}`)
  }
  const registry = new ModelRegistry({ redis, prefix, keepVersions: 20, validate: modelFromRecord })
  const base = loadEmbeddedModels(modelsPath).sqrt.record
  const published: string[] = []
  let timer: NodeJS.Timeout | undefined
  let inFlight: Promise<void> = Promise.resolve()
  let failure: Error | undefined
  let count = 0
  let closing: Promise<{ keysDeleted: number }> | undefined

  const publishNext = (): void => {
    const n = ++count
    const version = `bench-swap-${n}`
    // a different eta each time, as a recalibration would produce
    const record = { ...base, name: 'sqrt', params: { impactCoef: 0.5 + (n % 50) / 50, impactExponent: 0.5, smearingFactor: 1 }, version, source: 'registry', createdAtMs: Date.now() } as ModelRecord
    inFlight = inFlight.then(async () => {
      await registry.publish(SWAP_SYMBOL, record)
      published.push(version)
    }).catch((err: unknown) => { failure = err as Error })
  }

  return {
    env: { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, REGISTRY_CHECK_MS: '3600000' },
    publisher: {
      start: () => {
        publishNext()
        timer = setInterval(publishNext, SWAP_EVERY_MS)
      },
      stop: async () => {
        clearInterval(timer)
        await inFlight
        if (failure !== undefined) throw new Error(`publishing to the registry failed: ${failure.message}`)
      },
      published: () => [...published]
    },
    servedVersion: async (serverUrl) => {
      const res = await postJson(`${serverUrl}/v1/estimate`, JSON.stringify({ symbol: SWAP_SYMBOL, side: 'buy', qtyBase: 1, model: 'sqrt' }))
      if (res.status !== 200) throw new Error(`estimate answered ${res.status}: ${res.text}`)
      return (JSON.parse(res.text) as { model: { version: string } }).model.version
    },
    close: async () => {
      closing ??= (async () => {
        try {
          return { keysDeleted: await deleteKeys(redis, prefix) }
        } finally {
          redis.disconnect()
        }
      })()
      return await closing
    }
  }
}
