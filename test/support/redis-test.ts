import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import type { Teardown } from './teardown.js'

/** The machine's shared Redis (never FLUSHALL it: tests use unique prefixes). */
export const LOCAL_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A key prefix no other test uses: `test:<uuid>:`. */
export function uniquePrefix (): string {
  return `test:${randomUUID()}:`
}

/** Deletes every key starting with `prefix` (SCAN MATCH + UNLINK); returns how many. */
export async function deleteKeys (redis: Redis, prefix: string): Promise<number> {
  let cursor = '0'
  let deleted = 0
  const pattern = prefix.replace(/[*?[\]\\]/g, '\\$&') + '*'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = next
    if (keys.length > 0) deleted += await redis.unlink(...keys)
  } while (cursor !== '0')
  return deleted
}

/**
 * A plain client to the shared Redis and a unique prefix; at teardown every key under the
 * prefix is deleted and the client quits.
 */
export async function sharedRedis (t: Teardown): Promise<{ redis: Redis, prefix: string }> {
  const redis = new Redis(LOCAL_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await redis.connect()
  const prefix = uniquePrefix()
  t.teardown(async () => {
    await deleteKeys(redis, prefix)
    await redis.quit()
  })
  return { redis, prefix }
}
