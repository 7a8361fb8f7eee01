import t, { type Test } from 'tap'
import type { Redis } from 'ioredis'
import { createRedis, whenReady } from '../../src/store/redis-connection.js'
import { RedisTcaStore, TcaStoreError, type TcaStoreLogger } from '../../src/store/redis-tca-store.js'
import type { TcaRecord } from '../../src/store/tca-store.js'
import { freePort, startRedisServer } from '../support/redis-server.js'
import { sharedRedis } from '../support/redis-test.js'
import { waitFor } from '../support/wait.js'

const DAY_MS = 86_400_000
const NOW_MS = Date.now()

function record (symbol: string, executedAtMs: number, qtyBase = 1): TcaRecord {
  return { receivedAtMs: NOW_MS, executedAtMs, symbol, side: 'buy', qtyBase, execPriceQuote: 100.5, arrivalPriceQuote: 100, advBase: 1e6, volDaily: 0.03, relSpread: 1e-4 }
}

function memoryLogger (): { lines: Array<{ level: string, obj: Record<string, unknown>, msg: string }>, logger: TcaStoreLogger } {
  const lines: Array<{ level: string, obj: Record<string, unknown>, msg: string }> = []
  return {
    lines,
    logger: {
      info: (obj, msg) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
      warn: (obj, msg) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg })
    }
  }
}

async function settlesWithin (promise: Promise<unknown>, ms: number): Promise<'resolved' | 'rejected' | 'pending'> {
  let timer: NodeJS.Timeout | undefined
  const pending = new Promise<'pending'>((resolve) => { timer = setTimeout(() => resolve('pending'), ms) })
  const outcome = await Promise.race([promise.then(() => 'resolved' as const, () => 'rejected' as const), pending])
  clearTimeout(timer)
  return outcome
}

/** Writes an entry as if it had been inserted at `insertedAtMs` (explicit id), as the store would. */
async function seed (redis: Redis, store: RedisTcaStore, r: TcaRecord, insertedAtMs: number): Promise<void> {
  await redis.sadd(store.symbolsKey(), r.symbol)
  await redis.xadd(store.streamKey(r.symbol), `${insertedAtMs}-*`, 'r', JSON.stringify(r))
}

async function setup (t: Test, options: { readChunk?: number, retentionMs?: number } = {}) {
  const { redis, prefix } = await sharedRedis(t)
  const log = memoryLogger()
  const store = new RedisTcaStore({ redis, prefix, retentionMs: options.retentionMs ?? 7 * DAY_MS, readChunk: options.readChunk, logger: log.logger })
  return { redis, prefix, store, log }
}

t.test('append/read round trip, keys as documented', async (t) => {
  const { redis, prefix, store } = await setup(t)
  const records = [record('BTCUSDT', NOW_MS - 2000, 1), record('ETHUSDT', NOW_MS - 1000, 2), record('BTCUSDT', NOW_MS - 500, 3)]
  await store.append(records)
  t.same(await store.read('BTCUSDT'), [records[0], records[2]])
  t.same(await store.read('ETHUSDT'), [records[1]])
  t.same(await store.read('SOLUSDT'), [], 'no stream: empty')
  t.same((await redis.smembers(`${prefix}{tca}:symbols`)).sort(), ['BTCUSDT', 'ETHUSDT'])
  const [[, fields]] = await redis.xrange(`${prefix}{tca}:ETHUSDT`, '-', '+')
  t.same(fields, ['r', JSON.stringify(records[1])], 'field r = the record JSON')
  await store.append([])
  t.equal(await redis.xlen(`${prefix}{tca}:BTCUSDT`), 2, 'an empty append writes nothing')
})

t.test('read: sorted by executedAtMs (ties in insertion order), chunked, filtered by sinceMs', async (t) => {
  const { store } = await setup(t, { readChunk: 3 })
  const times = [5, 1, 9, 3, 3, 7, 2, 8, 0, 6].map((m) => NOW_MS - 60_000 + m * 1000)
  const records = times.map((ms, i) => record('BTCUSDT', ms, i + 1))
  await store.append(records.slice(0, 4))
  await store.append(records.slice(4))
  const all = await store.read('BTCUSDT')
  t.equal(all.length, 10, 'every entry once across chunks of 3')
  t.same(all.map((r) => r.executedAtMs), [...times].sort((a, b) => a - b))
  t.same(all.filter((r) => r.executedAtMs === times[3]).map((r) => r.qtyBase), [4, 5], 'ties keep insertion order')
  const sinceMs = NOW_MS - 60_000 + 5000
  const since = await store.read('BTCUSDT', sinceMs)
  t.same(since.map((r) => r.executedAtMs), times.filter((ms) => ms >= sinceMs).sort((a, b) => a - b), 'executedAtMs >= sinceMs only')
  t.same(await store.read('BTCUSDT', NOW_MS + DAY_MS), [])
})

t.test('read: a record executed after its insertion (future-dated) is still found by sinceMs', async (t) => {
  const { store } = await setup(t)
  const future = record('BTCUSDT', NOW_MS + 3_600_000)
  await store.append([record('BTCUSDT', NOW_MS - 1000), future])
  t.same(await store.read('BTCUSDT', NOW_MS + 1_800_000), [future])
})

t.test('read: an entry executed long before insertion (backfill) is found', async (t) => {
  const { store } = await setup(t)
  const old = record('BTCUSDT', NOW_MS - 30 * DAY_MS)
  await store.append([old])
  t.same(await store.read('BTCUSDT', NOW_MS - 31 * DAY_MS), [old])
})

t.test('read: an entry that is not a record is skipped and reported', async (t) => {
  const { redis, store, log } = await setup(t)
  const good = record('BTCUSDT', NOW_MS)
  await redis.xadd(store.streamKey('BTCUSDT'), '*', 'r', '{not json')
  await redis.xadd(store.streamKey('BTCUSDT'), '*', 'x', '1')
  await store.append([good])
  t.same(await store.read('BTCUSDT'), [good])
  t.equal(log.lines.filter((l) => l.level === 'warn' && l.msg === 'tca stream entry is not a valid record; skipped').length, 2)
})

t.test('trim removes only entries inserted before now - retention and reports counts per symbol', async (t) => {
  const { redis, store } = await setup(t, { retentionMs: 7 * DAY_MS })
  for (let i = 0; i < 3; i++) await seed(redis, store, record('BTCUSDT', NOW_MS - 10 * DAY_MS), NOW_MS - 10 * DAY_MS + i)
  await seed(redis, store, record('BTCUSDT', NOW_MS - 7 * DAY_MS + 60_000), NOW_MS - 7 * DAY_MS + 60_000)
  for (let i = 0; i < 2; i++) await seed(redis, store, record('SOLUSDT', NOW_MS - 8 * DAY_MS), NOW_MS - 8 * DAY_MS + i)
  const fresh = [record('BTCUSDT', NOW_MS), record('ETHUSDT', NOW_MS)]
  await store.append(fresh)
  t.same(await store.trim(NOW_MS), [{ symbol: 'BTCUSDT', removed: 3 }, { symbol: 'ETHUSDT', removed: 0 }, { symbol: 'SOLUSDT', removed: 2 }])
  t.same((await store.read('BTCUSDT')).map((r) => r.executedAtMs), [NOW_MS - 7 * DAY_MS + 60_000, NOW_MS], 'younger than the cutoff: kept')
  t.same(await store.read('ETHUSDT'), [fresh[1]])
  t.same(await store.read('SOLUSDT'), [])
  t.same(await store.trim(NOW_MS), [{ symbol: 'BTCUSDT', removed: 0 }, { symbol: 'ETHUSDT', removed: 0 }, { symbol: 'SOLUSDT', removed: 0 }], 'a second trim removes nothing')
})

t.test('startRetention trims at once and logs each removal; stop() ends it', async (t) => {
  const { redis, store } = await setup(t, { retentionMs: DAY_MS })
  await seed(redis, store, record('BTCUSDT', NOW_MS - 2 * DAY_MS), NOW_MS - 2 * DAY_MS)
  await store.append([record('BTCUSDT', NOW_MS), record('ETHUSDT', NOW_MS)])
  const { lines, logger } = memoryLogger()
  const retention = store.startRetention({ everyMs: 60_000, logger, nowMs: () => NOW_MS })
  t.teardown(retention.stop)
  await waitFor('a log line from the retention', () => lines.length > 0, { timeoutMs: 5000 })
  await retention.stop()
  t.same(lines, [{ level: 'info', obj: { symbol: 'BTCUSDT', removed: 1, cutoffMs: NOW_MS - DAY_MS }, msg: 'tca records trimmed' }], 'only symbols that lost entries are logged')
  t.throws(() => store.startRetention({ everyMs: 0, logger }), RangeError)
})

t.test('Redis down: append rejects (never resolves), trim and read reject, retention logs a warning', async (t) => {
  const port = await freePort()
  const redis = createRedis({ REDIS_URL: `redis://127.0.0.1:${port}` }) as Redis
  t.teardown(() => redis.disconnect())
  const store = new RedisTcaStore({ redis, prefix: 'test:dead:', retentionMs: DAY_MS })
  const appended = store.append([record('BTCUSDT', NOW_MS)])
  t.equal(await settlesWithin(appended, 1000), 'rejected')
  await t.rejects(appended, TcaStoreError)
  await t.rejects(store.read('BTCUSDT'), { name: 'TcaStoreError', code: 'PRETRADE_ERR_TCA_STORE' })
  await t.rejects(store.trim(NOW_MS), { name: 'TcaStoreError', trimmed: [] })
  const { lines, logger } = memoryLogger()
  const retention = store.startRetention({ everyMs: 60_000, logger, nowMs: () => NOW_MS })
  t.teardown(retention.stop)
  await waitFor('a log line from the retention', () => lines.length > 0, { timeoutMs: 5000 })
  t.match(lines, [{ level: 'warn', msg: 'tca retention trim failed; retrying next period' }])
})

t.test('own Redis killed mid-run: append rejects; after restart it appends again', async (t) => {
  const server = await startRedisServer()
  t.teardown(server.stop)
  const redis = createRedis({ REDIS_URL: server.url }) as Redis
  t.teardown(() => redis.disconnect())
  t.ok(await whenReady(redis, 5000))
  const store = new RedisTcaStore({ redis, prefix: 'test:', retentionMs: DAY_MS })
  await store.append([record('BTCUSDT', NOW_MS - 1)])
  await server.kill()
  const appended = store.append([record('BTCUSDT', NOW_MS)])
  t.equal(await settlesWithin(appended, 1000), 'rejected', 'rejects while Redis is down')
  await server.restart()
  t.ok(await whenReady(redis, 10_000))
  await store.append([record('BTCUSDT', NOW_MS + 1)])
  t.same((await store.read('BTCUSDT')).map((r) => r.executedAtMs), [NOW_MS + 1], 'a fresh server holds only what came after')
})

t.test('append rejects when one XADD of the transaction fails (a key of the wrong type)', async (t) => {
  const { redis, store } = await setup(t)
  await redis.set(store.streamKey('ETHUSDT'), 'not a stream')
  await t.rejects(store.append([record('BTCUSDT', NOW_MS), record('ETHUSDT', NOW_MS)]), { name: 'TcaStoreError', message: /1 of 3 commands .* failed: WRONGTYPE/ })
})

t.test('on Redis Cluster: one MULTI spans symbols (all keys share the {tca} hash tag)', async (t) => {
  const node = await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-announce-ip', '127.0.0.1'] })
  t.teardown(node.stop)
  const admin = createRedis({ REDIS_URL: node.url }) as Redis
  t.teardown(() => admin.disconnect())
  t.ok(await whenReady(admin, 5000))
  await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383')
  await waitFor('cluster state ok', async () => /cluster_state:ok/.test(await admin.cluster('INFO')), { timeoutMs: 10_000 })
  const cluster = createRedis({ REDIS_CLUSTER_NODES: `127.0.0.1:${node.port}` })
  if (cluster === undefined) throw new Error('expected a cluster client')
  t.teardown(() => cluster.disconnect())
  t.ok(await whenReady(cluster, 10_000))
  const store = new RedisTcaStore({ redis: cluster, prefix: 'pretrade:', retentionMs: DAY_MS })
  const records = [record('BTCUSDT', NOW_MS), record('ETHUSDT', NOW_MS + 1)]
  await store.append(records)
  t.same(await store.read('ETHUSDT'), [records[1]])
  t.same(await store.trim(NOW_MS), [{ symbol: 'BTCUSDT', removed: 0 }, { symbol: 'ETHUSDT', removed: 0 }])
})

t.test('constructor checks its options', async (t) => {
  const { redis } = await sharedRedis(t)
  t.throws(() => new RedisTcaStore({ redis, prefix: 'x:', retentionMs: 0 }), RangeError)
  t.throws(() => new RedisTcaStore({ redis, prefix: 'x:', retentionMs: DAY_MS, readChunk: 0 }), RangeError)
  t.throws(() => new RedisTcaStore({ redis, prefix: 'x:', retentionMs: DAY_MS, executionLeadMs: -1 }), RangeError)
})
