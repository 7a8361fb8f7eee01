import { hostname } from 'node:os'
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Config } from './config.js'
import { LeaderLock } from './jobs/leader-lock.js'
import { modelFromRecord, type ModelRecord } from './models/impact-model.js'
import type { ModelStore } from './models/model-store.js'
import { ModelRegistry } from './models/registry.js'
import { registryPublisher } from './models/registry-publisher.js'
import { RegistrySync } from './models/registry-sync.js'
import { createRedis, redisState, type RedisClient } from './store/redis-connection.js'
import { RedisTcaStore } from './store/redis-tca-store.js'

const MS_PER_DAY = 86_400_000

/** The Redis side of a replica: shared model registry, its sync, TCA stream and the job's leader lock. */
export interface RedisServices {
  redis: RedisClient
  registry: ModelRegistry
  sync: RegistrySync
  tcaStore: RedisTcaStore
  lock: LeaderLock
  status: () => { connected: boolean } & Record<string, unknown>
  /** the job's publish: only the leader, with its fencing token (a stale leader is refused by the registry) */
  publish: (symbol: string, records: ModelRecord[]) => Promise<void>
  canPublish: () => boolean
  /** leaderLock: take part in the job's leader election (replicas that run the schedule) */
  start: (options: { leaderLock: boolean }) => Promise<void>
  stop: () => Promise<void>
}

/**
 * Builds the Redis services when REDIS_URL (or Sentinel / Cluster) is configured; undefined
 * otherwise. Nothing connects to anything a request waits on: models are served from memory, so a
 * Redis outage degrades the replica (no publishes, no catch-up) but never fails a request.
 */
export function createRedisServices (config: Config, logger: Logger, models: ModelStore): RedisServices | undefined {
  const redis = createRedis(config, logger.child({ component: 'redis' }))
  if (redis === undefined) return undefined
  const prefix = config.REDIS_PREFIX
  const registry = new ModelRegistry({ redis, prefix, keepVersions: config.MODEL_KEEP_VERSIONS, validate: modelFromRecord })
  const sync = new RegistrySync({
    registry,
    store: models,
    checkEveryMs: config.REGISTRY_CHECK_MS,
    onReconnect: (listener) => { redis.on('ready', listener) },
    logger
  })
  const tcaStore = new RedisTcaStore({ redis, prefix, retentionMs: config.TCA_RETENTION_DAYS * MS_PER_DAY, logger })
  const lock = new LeaderLock({
    redis,
    prefix,
    ownerId: `${hostname()}:${process.pid}:${randomUUID()}`,
    ttlMs: config.LEADER_LOCK_TTL_MS,
    onChange: (state) => logger.info({ leader: state }, 'leader lock'),
    onError: (err) => logger.warn({ err }, 'leader lock')
  })
  let retention: { stop: () => Promise<void> | void } | undefined
  return {
    redis,
    registry,
    sync,
    tcaStore,
    lock,
    status: () => ({ connected: redisState(redis) === 'ready', redis: redisState(redis), sync: sync.status(), leader: lock.status() }),
    canPublish: () => redisState(redis) === 'ready',
    publish: registryPublisher({ registry, lock, logger }),
    start: async ({ leaderLock }) => {
      await sync.start()
      if (leaderLock) lock.start()
      retention = tcaStore.startRetention({ everyMs: config.TCA_TRIM_EVERY_MS, logger })
    },
    stop: async () => {
      await retention?.stop()
      await lock.stop()
      await sync.stop()
      await redis.quit().catch(() => redis.disconnect())
    }
  }
}
