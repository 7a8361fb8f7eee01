import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { Redis, type RedisOptions } from 'ioredis'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { modelFromRecord, type ModelName, type ModelRecord } from '../../src/models/impact-model.js'
import { canonicalJson, ModelRegistry, RegistryError, type ModelChange } from '../../src/models/registry.js'
import { RegistrySync } from '../../src/models/registry-sync.js'
import { ModelStore } from '../../src/models/model-store.js'
import { waitFor } from '../support/wait.js'

// The machine's Redis with a unique key prefix per test, deleted in teardown (never FLUSHALL).
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const embedded = loadEmbeddedModels('embedded/models.json')

/** A valid record of `name`, republished under `version` with createdAtMs `createdAtMs`. */
function recordOf (name: ModelName, version: string, createdAtMs: number): ModelRecord {
  return { ...structuredClone(embedded[name].record), version, source: 'registry', createdAtMs }
}

async function deleteKeys (redis: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    if (keys.length > 0) await redis.unlink(...keys)
    cursor = next
  } while (cursor !== '0')
}

async function keysUnder (redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    keys.push(...batch)
    cursor = next
  } while (cursor !== '0')
  return keys.sort()
}

/** A client, a prefix and a registry over them; keys and connections are cleaned up. */
function setup (t: Test, keepVersions?: number, options: RedisOptions = {}): { redis: Redis, prefix: string, registry: ModelRegistry, key: (s: string) => string } {
  const redis = new Redis(REDIS_URL, options)
  const prefix = `test:${randomUUID()}:`
  t.teardown(async () => {
    await deleteKeys(redis, prefix)
    await redis.quit()
  })
  const registry = new ModelRegistry({ redis, prefix, keepVersions, validate: modelFromRecord })
  return { redis, prefix, registry, key: (s) => `${prefix}{registry}:${s}` }
}

async function rejectsWith (t: Test, promise: Promise<unknown>, code: string): Promise<void> {
  await t.rejects(promise, { name: 'RegistryError', code })
}

const WAIT = { timeoutMs: 5000, everyMs: 10 }

t.test('publish and readActive round-trip records that modelFromRecord serves', async (t) => {
  const { registry } = setup(t)
  for (const name of ['sqrt', 'linear', 'mlp'] as const) {
    const out = await registry.publish('BTCUSDT', recordOf(name, `${name}-1`, 1000))
    t.same(out, { version: `${name}-1`, removedVersions: [] })
  }
  await registry.publish('ETHUSDT', recordOf('sqrt', 'eth-1', 2000))
  const { sets, errors } = await registry.readActive()
  t.same(errors, [])
  t.same([...sets.keys()].sort(), ['BTCUSDT', 'ETHUSDT'])
  for (const name of ['sqrt', 'linear', 'mlp'] as const) {
    const record = sets.get('BTCUSDT')?.[name]
    t.same(record, recordOf(name, `${name}-1`, 1000), `${name} survives the round trip`)
    const model = modelFromRecord(record as ModelRecord)
    t.equal(model.version, `${name}-1`)
    t.equal(model.source, 'registry')
    t.ok(Number.isFinite(model.predictCost({ participation: 0.001, volDaily: 0.03, relSpread: 0.0001, sideSign: 1 })))
  }
  t.same(Object.keys(sets.get('ETHUSDT') ?? {}), ['sqrt'])
  t.same(await registry.versions('BTCUSDT', 'mlp'), [{ version: 'mlp-1', createdAtMs: 1000, active: true }])
})

t.test('an invalid record is rejected before anything is written', async (t) => {
  const { redis, prefix, registry } = setup(t)
  const bad = recordOf('sqrt', 'bad-1', 1)
  ;(bad as { params: { impactCoef: number } }).params.impactCoef = Number.POSITIVE_INFINITY
  await rejectsWith(t, registry.publish('BTCUSDT', bad), 'REGISTRY_ERR_INVALID_RECORD')
  const wrongShape = recordOf('mlp', 'bad-2', 1) as { model: { layers?: unknown } }
  wrongShape.model = { ...wrongShape.model, layers: [[1, 2, 3]] }
  await rejectsWith(t, registry.publish('BTCUSDT', wrongShape as unknown as ModelRecord), 'REGISTRY_ERR_INVALID_RECORD')
  await rejectsWith(t, registry.publish('BTCUSDT', recordOf('sqrt', 'no spaces', 1)), 'REGISTRY_ERR_INVALID_RECORD')
  await rejectsWith(t, registry.publish('BTC:USDT', recordOf('sqrt', 'v1', 1)), 'REGISTRY_ERR_INVALID_ARGUMENT')
  await rejectsWith(t, registry.publish('BTCUSDT', recordOf('sqrt', 'v1', 1), { fencingToken: 1.5 }), 'REGISTRY_ERR_INVALID_ARGUMENT')
  t.same(await keysUnder(redis, prefix), [], 'no key was written')
  t.throws(() => new ModelRegistry({ redis, prefix, keepVersions: 0, validate: modelFromRecord }), RangeError)
})

t.test('records are immutable: the same content is idempotent, other content under a used version is refused', async (t) => {
  const { redis, registry, key } = setup(t)
  const record = recordOf('sqrt', 'v1', 10)
  await registry.publish('BTCUSDT', record)
  const reordered = Object.fromEntries(Object.entries(record).reverse()) as unknown as ModelRecord
  t.same(await registry.publish('BTCUSDT', reordered), { version: 'v1', removedVersions: [] }, 'same content, other key order')
  const other = recordOf('sqrt', 'v1', 10)
  other.calibration = { note: 'different' }
  await rejectsWith(t, registry.publish('BTCUSDT', other), 'REGISTRY_ERR_VERSION_EXISTS')
  t.equal(await redis.get(key('record:BTCUSDT:sqrt:v1')), canonicalJson(record), 'the stored record is unchanged')
})

t.test('trimming keeps the newest keepVersions and never the active version', async (t) => {
  const { redis, registry, key } = setup(t, 3)
  const removed: string[] = []
  for (let i = 1; i <= 5; i++) removed.push(...(await registry.publish('BTCUSDT', recordOf('sqrt', `v${i}`, i * 1000))).removedVersions)
  t.same(removed, ['v1', 'v2'])
  t.same((await registry.versions('BTCUSDT', 'sqrt')).map((v) => [v.version, v.createdAtMs, v.active]), [['v5', 5000, true], ['v4', 4000, false], ['v3', 3000, false]])
  t.equal(await redis.exists(key('record:BTCUSDT:sqrt:v1'), key('record:BTCUSDT:sqrt:v2')), 0, 'trimmed records are deleted')

  // a record older than every kept one becomes active and is kept; the oldest other goes
  const out = await registry.publish('BTCUSDT', recordOf('sqrt', 'old', 1))
  t.same(out.removedVersions, ['v3'])
  t.same((await registry.versions('BTCUSDT', 'sqrt')).map((v) => [v.version, v.active]), [['v5', false], ['v4', false], ['old', true]])
  t.equal((await registry.readActive()).sets.get('BTCUSDT')?.sqrt?.version, 'old')

  const single = setup(t, 1)
  await single.registry.publish('BTCUSDT', recordOf('linear', 'a', 2))
  t.same((await single.registry.publish('BTCUSDT', recordOf('linear', 'b', 1))).removedVersions, ['a'])
  t.same(await single.registry.versions('BTCUSDT', 'linear'), [{ version: 'b', createdAtMs: 1, active: true }])
})

t.test('rollback moves the pointer to a kept version and notifies; unknown or trimmed versions are NOT_FOUND', async (t) => {
  const { redis, registry, key } = setup(t, 3)
  for (let i = 1; i <= 4; i++) await registry.publish('BTCUSDT', recordOf('mlp', `v${i}`, i))
  const changes: ModelChange[] = []
  const sub = await registry.subscribe((c) => changes.push(c))
  t.teardown(sub.close)

  await registry.rollback('BTCUSDT', 'mlp', 'v2')
  t.same((await registry.versions('BTCUSDT', 'mlp')).filter((v) => v.active).map((v) => v.version), ['v2'])
  t.equal((await registry.readActive()).sets.get('BTCUSDT')?.mlp?.version, 'v2')
  await waitFor('the rollback notice', () => changes.length >= 1, WAIT)
  t.same(changes, [{ symbol: 'BTCUSDT', name: 'mlp', version: 'v2' }])

  await rejectsWith(t, registry.rollback('BTCUSDT', 'mlp', 'v1'), 'REGISTRY_ERR_NOT_FOUND')
  await rejectsWith(t, registry.rollback('BTCUSDT', 'mlp', 'never'), 'REGISTRY_ERR_NOT_FOUND')
  await rejectsWith(t, registry.rollback('BTCUSDT', 'sqrt', 'v3'), 'REGISTRY_ERR_NOT_FOUND')
  await rejectsWith(t, registry.rollback('BTCUSDT', 'nope' as ModelName, 'v3'), 'REGISTRY_ERR_INVALID_ARGUMENT')

  // a stored record that no longer validates is refused and the pointer stays
  await redis.set(key('record:BTCUSDT:mlp:v3'), '{"name":"mlp","version":"v3"}')
  await rejectsWith(t, registry.rollback('BTCUSDT', 'mlp', 'v3'), 'REGISTRY_ERR_INVALID_RECORD')
  t.equal(await redis.hget(key('active:BTCUSDT'), 'mlp'), 'v2')
})

t.test('the activation log records each pointer move in order, on Redis\'s clock, with the kept records', async (t) => {
  const { redis, registry, key } = setup(t, 2)
  const t0 = Date.now()
  await registry.publish('BTCUSDT', recordOf('linear', 'v1', 1))
  await registry.publish('BTCUSDT', recordOf('linear', 'v1', 1))
  await registry.publish('BTCUSDT', recordOf('linear', 'v2', 2))
  await registry.rollback('BTCUSDT', 'linear', 'v1')
  await registry.rollback('BTCUSDT', 'linear', 'v1')
  const log = await registry.activations('BTCUSDT', 'linear')
  t.same(log.map((a) => a.version), ['v1', 'v2', 'v1'], 'a publish or rollback of the active version logs nothing')
  t.ok(log.every((a, i) => a.fromMs >= t0 - 1000 && a.fromMs <= Date.now() + 1000 && (i === 0 || a.fromMs >= log[i - 1].fromMs)), 'times from Redis\'s clock (this machine\'s, within 1 s), non-decreasing')
  t.same(log.map((a) => a.record?.version), ['v1', 'v2', 'v1'], 'each with its record')

  // keepVersions 2: publishing v3 trims v1 (the oldest by createdAtMs); its activations stay, without a record
  await registry.publish('BTCUSDT', recordOf('linear', 'v3', 3))
  t.same((await registry.activations('BTCUSDT', 'linear')).map((a) => [a.version, a.record?.version]), [['v1', undefined], ['v2', 'v2'], ['v1', undefined], ['v3', 'v3']])
  await redis.set(key('record:BTCUSDT:linear:v3'), '{"name":"linear","version":"v3"}')
  t.equal((await registry.activations('BTCUSDT', 'linear')).at(-1)?.record, undefined, 'a corrupt record is left out, never thrown')
  t.same(await registry.activations('ETHUSDT', 'linear'), [], 'no log: empty')
  t.equal(await redis.xlen(key('activations:BTCUSDT:linear')), 4)
  await rejectsWith(t, registry.activations('BTCUSDT', 'nope' as ModelName), 'REGISTRY_ERR_INVALID_ARGUMENT')
})

t.test('a replica started after publishes and a rollback prices the past like the replicas that saw them (RegistrySync adopts the log)', async (t) => {
  const { registry } = setup(t)
  const quiet = { info: () => {}, warn: () => {} }
  const moves: number[] = []
  const step = async (fn: () => Promise<unknown>): Promise<void> => {
    await fn()
    moves.push((await registry.activations('BTCUSDT', 'sqrt')).at(-1)?.fromMs as number)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  await step(async () => await registry.publish('BTCUSDT', recordOf('sqrt', 's1', 1)))
  await step(async () => await registry.publish('BTCUSDT', recordOf('sqrt', 's2', 2)))
  await step(async () => await registry.rollback('BTCUSDT', 'sqrt', 's1'))
  const late = new ModelStore({ defaultSet: embedded, bySymbol: new Map() })
  const sync = new RegistrySync({ registry, store: late, checkEveryMs: 3_600_000, logger: quiet })
  await sync.start()
  t.teardown(async () => await sync.stop())
  const at = (ms: number): string => late.modelAt('BTCUSDT', 'sqrt', ms).version
  t.same([at(moves[0] - 1), at(moves[0]), at(moves[1]), at(moves[2] - 1), at(moves[2]), at(Date.now())],
    [embedded.sqrt.version, 's1', 's2', 's2', 's1', 's1'], 'each time priced by the version active then')
  t.equal(late.modelAt('BTCUSDT', 'sqrt', Date.now()), late.modelsFor('BTCUSDT').sqrt, 'the history ends with the very instance being served')

  // a later publish is adopted after the swap it causes
  await registry.publish('BTCUSDT', recordOf('sqrt', 's3', 3))
  await sync.sync()
  const s3At = (await registry.activations('BTCUSDT', 'sqrt')).at(-1)?.fromMs as number
  t.same([at(s3At - 1), at(s3At)], ['s1', 's3'])
})

t.test('fencing: a stale token is refused and writes nothing; the current token is accepted', async (t) => {
  const { redis, registry, key } = setup(t)
  await rejectsWith(t, registry.publish('BTCUSDT', recordOf('sqrt', 'v1', 1), { fencingToken: 1 }), 'REGISTRY_ERR_STALE_LEADER')
  await redis.set(key('leader:fence'), '7')
  await rejectsWith(t, registry.publish('BTCUSDT', recordOf('sqrt', 'v1', 1), { fencingToken: 6 }), 'REGISTRY_ERR_STALE_LEADER')
  t.equal(await redis.exists(key('record:BTCUSDT:sqrt:v1'), key('active:BTCUSDT'), key('versions:BTCUSDT:sqrt'), key('symbols')), 0, 'nothing written')
  t.same(await registry.publish('BTCUSDT', recordOf('sqrt', 'v1', 1), { fencingToken: 7 }), { version: 'v1', removedVersions: [] })
  await registry.publish('BTCUSDT', recordOf('sqrt', 'v2', 2), { fencingToken: 7 })
  await redis.incr(key('leader:fence'))
  await rejectsWith(t, registry.rollback('BTCUSDT', 'sqrt', 'v1', { fencingToken: 7 }), 'REGISTRY_ERR_STALE_LEADER')
  t.equal(await redis.hget(key('active:BTCUSDT'), 'sqrt'), 'v2')
  await registry.rollback('BTCUSDT', 'sqrt', 'v1', { fencingToken: 8 })
  t.equal(await redis.hget(key('active:BTCUSDT'), 'sqrt'), 'v1')
})

t.test('subscribe delivers every change and reports malformed messages', async (t) => {
  const { redis, registry } = setup(t)
  const changes: ModelChange[] = []
  const problems: unknown[] = []
  const sub = await registry.subscribe((c) => changes.push(c), (err) => problems.push(err))
  await registry.publish('ETHUSDT', recordOf('linear', 'l1', 1))
  await redis.publish(registry.channel, 'not json')
  await redis.publish(registry.channel, JSON.stringify({ symbol: 'ETHUSDT', name: 'other', version: 'x' }))
  await registry.publish('ETHUSDT', recordOf('sqrt', 's1', 1))
  await waitFor('two changes and two problems', () => changes.length >= 2 && problems.length >= 2, WAIT)
  t.same(changes, [{ symbol: 'ETHUSDT', name: 'linear', version: 'l1' }, { symbol: 'ETHUSDT', name: 'sqrt', version: 's1' }])
  t.same(problems.map((p) => (p as RegistryError).code), ['REGISTRY_ERR_BAD_MESSAGE', 'REGISTRY_ERR_BAD_MESSAGE'])
  await sub.close()
})

/** Kills this test's subscriber connection (and only it: found by its unique connection name). */
async function killSubscriber (redis: Redis, name: string): Promise<void> {
  const list = await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub') as string
  const ids = list.split('\n').filter((line) => line.includes(` name=${name} `)).map((line) => /^id=(\d+)/.exec(line)?.[1])
  if (ids.length !== 1 || ids[0] === undefined) throw new Error(`expected one subscriber named ${name}, found ${ids.length}`)
  await redis.client('KILL', 'ID', ids[0])
}

// The CI failure this pins: the main connection came back and re-read before a publish, the
// subscriber came back after it, so the notice was lost and nothing re-read until the periodic check.
t.test('after its connection is killed, subscribe re-subscribes and then calls onResubscribed; later notices arrive', async (t) => {
  const name = `test-${randomUUID()}`
  const { redis, registry } = setup(t, undefined, { connectionName: name, retryStrategy: () => 300 })
  const changes: ModelChange[] = []
  let numsubAtResubscribe: number | undefined
  const sub = await registry.subscribe((c) => changes.push(c), () => {}, () => {
    void redis.pubsub('NUMSUB', registry.channel).then((r) => { numsubAtResubscribe = Number((r as [string, number])[1]) })
  })
  t.teardown(async () => await sub.close())
  await killSubscriber(redis, name)
  await waitFor('onResubscribed', () => numsubAtResubscribe !== undefined, WAIT)
  t.equal(numsubAtResubscribe, 1, 'the channel has its subscriber again when onResubscribed is called (PUBSUB NUMSUB)')
  await registry.publish('ETHUSDT', recordOf('sqrt', 's2', 1))
  await waitFor('the notice after the reconnect', () => changes.length >= 1, WAIT)
  t.same(changes, [{ symbol: 'ETHUSDT', name: 'sqrt', version: 's2' }])
})

t.test('RegistrySync catches up on a publish made while only its subscriber was down (no main reconnect, no periodic check)', async (t) => {
  const name = `test-${randomUUID()}`
  // the subscriber stays down 300 ms after the kill: long enough to publish into the gap
  const { redis, registry } = setup(t, undefined, { connectionName: name, retryStrategy: () => 300 })
  const store = new ModelStore({ defaultSet: embedded, bySymbol: new Map() })
  const quiet = { info: () => {}, warn: () => {} }
  const sync = new RegistrySync({ registry, store, checkEveryMs: 3_600_000, logger: quiet })
  await sync.start()
  t.teardown(async () => await sync.stop())
  await killSubscriber(redis, name)
  await registry.publish('ETHUSDT', recordOf('sqrt', 'during-gap', 1))
  await waitFor('the version published during the gap', () => store.modelsFor('ETHUSDT').sqrt.version === 'during-gap', WAIT)
  t.equal(store.modelsFor('ETHUSDT').sqrt.version, 'during-gap', 'served after the subscriber came back, with no other trigger')
})

t.test('readActive reports corrupt, missing and wrong-typed records and leaves them out', async (t) => {
  const { redis, registry, key } = setup(t)
  for (const name of ['sqrt', 'linear', 'mlp'] as const) await registry.publish('BTCUSDT', recordOf(name, `${name}-1`, 1))
  await registry.publish('ETHUSDT', recordOf('sqrt', 'e1', 1))
  await redis.set(key('record:BTCUSDT:mlp:mlp-1'), '{"name":"mlp","version":"mlp-1","model":{')
  await redis.hset(key('active:BTCUSDT'), 'linear', 'gone')
  await redis.del(key('record:ETHUSDT:sqrt:e1'))
  await redis.hset(key('record:ETHUSDT:sqrt:e1'), 'x', '1')
  await redis.set(key('record:BTCUSDT:sqrt:sqrt-1'), JSON.stringify(recordOf('linear', 'sqrt-1', 1)))
  const { sets, errors } = await registry.readActive()
  t.same(errors.map((e) => [e.symbol, e.name, e.version]).sort(), [['BTCUSDT', 'linear', 'gone'], ['BTCUSDT', 'mlp', 'mlp-1'], ['BTCUSDT', 'sqrt', 'sqrt-1'], ['ETHUSDT', 'sqrt', 'e1']])
  for (const e of errors) t.type(e.error, 'string')
  t.match(errors.find((e) => e.name === 'linear')?.error, /missing/)
  t.match(errors.find((e) => e.symbol === 'ETHUSDT')?.error, /WRONGTYPE/)
  t.same([...sets.keys()], [], 'no valid record is left')
})

t.test('a pointer never names a missing record while publishers race (5 clients x 40 publishes)', async (t) => {
  const { prefix, registry: reader, redis, key } = setup(t, 2)
  const clients = Array.from({ length: 5 }, () => new Redis(REDIS_URL))
  t.teardown(async () => { await Promise.all(clients.map(async (c) => await c.quit())) })
  const names = ['sqrt', 'linear', 'mlp'] as const
  let running = true
  // each client publishes its 40 records one after another, the 5 clients concurrently, so the
  // readers' atomic snapshots interleave with many publishes of the same slots
  const publishers = clients.map(async (redisClient, c) => {
    const registry = new ModelRegistry({ redis: redisClient, prefix, keepVersions: 2, validate: modelFromRecord })
    for (let i = 0; i < 40; i++) {
      await registry.publish(i % 2 === 0 ? 'BTCUSDT' : 'ETHUSDT', recordOf(names[i % 3], `c${c}-${i}`, c * 100 + i))
    }
  })
  const done = Promise.all(publishers).finally(() => { running = false })
  let reads = 0
  const bad: unknown[] = []
  const readLoop = async (): Promise<void> => {
    // eslint-disable-next-line no-unmodified-loop-condition -- the flag is cleared by another async task
    while (running) {
      const { errors } = await reader.readActive()
      if (errors.length > 0) bad.push(errors)
      reads++
    }
  }
  await Promise.all([readLoop(), readLoop()])
  await done
  t.same(bad, [], `${reads} snapshots, none with a dangling pointer`)
  const final = await reader.readActive()
  t.same(final.errors, [])
  // every kept version has its record and no record is orphaned
  let kept = 0
  for (const symbol of ['BTCUSDT', 'ETHUSDT']) {
    for (const name of names) {
      const versions = await reader.versions(symbol, name)
      t.equal(versions.length, 2, `${symbol} ${name} keeps 2`)
      t.equal(versions.filter((v) => v.active).length, 1, `${symbol} ${name} has one active kept version`)
      kept += versions.length
      for (const v of versions) t.equal(await redis.exists(key(`record:${symbol}:${name}:${v.version}`)), 1)
    }
  }
  t.equal((await keysUnder(redis, `${prefix}{registry}:record:`)).length, kept, 'no orphaned records')
})

t.test('Redis failures reject with REGISTRY_ERR_REDIS', async (t) => {
  const down = new Redis({ port: 1, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
  down.on('error', () => {})
  t.teardown(() => { down.disconnect() })
  const registry = new ModelRegistry({ redis: down, prefix: `test:${randomUUID()}:`, validate: modelFromRecord })
  await rejectsWith(t, registry.readActive(), 'REGISTRY_ERR_REDIS')
  await rejectsWith(t, registry.publish('BTCUSDT', recordOf('sqrt', 'v1', 1)), 'REGISTRY_ERR_REDIS')
  await rejectsWith(t, registry.versions('BTCUSDT', 'sqrt'), 'REGISTRY_ERR_REDIS')
  await rejectsWith(t, registry.rollback('BTCUSDT', 'sqrt', 'v1'), 'REGISTRY_ERR_REDIS')
})
