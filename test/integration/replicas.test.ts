import t from 'tap'
import { Redis } from 'ioredis'
import { startRedisServer } from '../support/redis-server.js'
import { startServerProcess, type ServerProcess } from '../support/server-process.js'
import { deleteKeys, LOCAL_REDIS_URL, uniquePrefix } from '../support/redis-test.js'
import type { Teardown } from '../support/teardown.js'
import { waitFor } from '../support/wait.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { modelFromRecord, type ModelRecord } from '../../src/models/impact-model.js'
import { ModelRegistry } from '../../src/models/registry.js'

const KEY = 'replica-admin-key-0123456789'
const base = loadEmbeddedModels('embedded/models.json').sqrt.record

/** A sqrt record with its own version and eta, as an operator or the job would publish it. */
function sqrtRecord (version: string, impactCoef: number): ModelRecord {
  return { ...base, name: 'sqrt', params: { impactCoef, impactExponent: 0.5, smearingFactor: 1 }, version, source: 'registry', createdAtMs: Date.now() } as ModelRecord
}

type Replica = ServerProcess

/** A real server process (the built `npm start` path) on the given Redis. */
async function startReplica (t: Teardown, redisUrl: string, prefix: string): Promise<Replica> {
  return await startServerProcess(t, { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, REGISTRY_CHECK_MS: '500', ADMIN_API_KEY: KEY, MARKET_DATA_SOURCE: 'embedded' })
}

async function servedVersion (replica: Replica): Promise<string> {
  const res = await fetch(`${replica.url}/v1/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, model: 'sqrt' }) })
  if (res.status !== 200) throw new Error(`estimate failed with ${res.status}`)
  return ((await res.json()) as { model: { version: string } }).model.version
}

t.test('a publish through one replica is served by every replica', async (t) => {
  const prefix = uniquePrefix()
  const admin = new Redis(LOCAL_REDIS_URL)
  t.teardown(async () => { await deleteKeys(admin, prefix); admin.disconnect() })
  const replicas = [await startReplica(t, LOCAL_REDIS_URL, prefix), await startReplica(t, LOCAL_REDIS_URL, prefix)]
  const record = sqrtRecord('operator-1', 0.9)
  const { source: _s, ...body } = record
  const res = await fetch(`${replicas[0].url}/v1/models/BTCUSDT`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(body) })
  t.equal(res.status, 200, await res.clone().text())
  for (const replica of replicas) {
    await waitFor(`${replica.url} serves the new version within 5 s`, async () => await servedVersion(replica) === 'operator-1', { timeoutMs: 5000, everyMs: 50 })
  }
  const rollback = await fetch(`${replicas[1].url}/v1/models/BTCUSDT/rollback`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify({ name: 'sqrt', version: 'nope' }) })
  t.equal(rollback.status, 404)
})

t.test('every replica, one started after the publishes included, prices a past trade with the version active then', async (t) => {
  const prefix = uniquePrefix()
  const redis = new Redis(LOCAL_REDIS_URL)
  t.teardown(async () => { await deleteKeys(redis, prefix); redis.disconnect() })
  const registry = new ModelRegistry({ redis, prefix, validate: modelFromRecord })
  const early = await startReplica(t, LOCAL_REDIS_URL, prefix)
  const pause = async (): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, 30)) }
  await registry.publish('BTCUSDT', sqrtRecord('past-1', 0.9))
  await waitFor('past-1 to be served', async () => await servedVersion(early) === 'past-1', { timeoutMs: 5000, everyMs: 50 })
  await pause()
  const during1 = Date.now()
  await pause()
  await registry.publish('BTCUSDT', sqrtRecord('past-2', 0.6))
  await waitFor('past-2 to be served', async () => await servedVersion(early) === 'past-2', { timeoutMs: 5000, everyMs: 50 })
  const late = await startReplica(t, LOCAL_REDIS_URL, prefix)
  await waitFor('the late replica serves past-2', async () => await servedVersion(late) === 'past-2', { timeoutMs: 5000, everyMs: 50 })
  const trade = { symbol: 'BTCUSDT', side: 'buy', qtyBase: 2, execPriceQuote: 100.5, arrivalPriceQuote: 100, bidQuote: 99.9, askQuote: 100.1, advBase: 1000, volDaily: 0.02 }
  const body = JSON.stringify({ model: 'sqrt', trades: [{ ...trade, executedAtMs: during1 }, { ...trade, executedAtMs: Date.now() }] })
  const answers = []
  for (const replica of [early, late]) {
    const res = await fetch(`${replica.url}/v1/tca`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    t.equal(res.status, 200)
    answers.push(((await res.json()) as { trades: Array<{ model: { version: string }, estimatedImpactBps: number }> }).trades)
  }
  t.same(answers.map((trades) => trades.map((r) => r.model.version)), [['past-1', 'past-2'], ['past-1', 'past-2']], 'the version active at each trade\'s time, on both replicas')
  t.same(answers[1].map((r) => r.estimatedImpactBps), answers[0].map((r) => r.estimatedImpactBps), 'the same numbers from both')
  t.ok(answers[0][0].estimatedImpactBps > answers[0][1].estimatedImpactBps, 'past-1 (eta 0.9) prices above past-2 (eta 0.6)')
  const histories = []
  for (const replica of [early, late]) {
    const versions = await (await fetch(`${replica.url}/v1/models/BTCUSDT/versions`)).json() as { models: Array<{ name: string, history: Array<{ version: string, fromMs?: number }> }> }
    histories.push(versions.models.find((m) => m.name === 'sqrt')?.history)
  }
  t.same(histories[1], histories[0], 'GET /v1/models/:symbol/versions: the same history on both replicas')
  t.same(histories[0]?.map((a) => a.version).slice(-2), ['past-1', 'past-2'])
  t.equal(histories[0]?.[0].fromMs, undefined, 'the embedded version before them, since the start')
  t.ok((histories[0]?.[1].fromMs ?? Infinity) <= during1 && during1 < (histories[0]?.[2].fromMs ?? -Infinity), 'the first trade falls in past-1\'s span')
})

t.test('a request loop during 100 swaps: no failed request, every version served was published', async (t) => {
  const prefix = uniquePrefix()
  const redis = new Redis(LOCAL_REDIS_URL)
  t.teardown(async () => { await deleteKeys(redis, prefix); redis.disconnect() })
  const registry = new ModelRegistry({ redis, prefix, keepVersions: 200, validate: modelFromRecord })
  const replica = await startReplica(t, LOCAL_REDIS_URL, prefix)
  const published = new Set<string>([base.version])
  let failures = 0
  let requests = 0
  const seen = new Set<string>()
  let swapping = true
  const loop = (async () => {
    // eslint-disable-next-line no-unmodified-loop-condition -- the flag is cleared by another async task
    while (swapping) {
      try {
        seen.add(await servedVersion(replica))
      } catch {
        failures++
      }
      requests++
    }
  })()
  for (let i = 0; i < 100; i++) {
    const version = `swap-${i}`
    published.add(version)
    await registry.publish('BTCUSDT', sqrtRecord(version, 0.5 + i / 100))
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  await waitFor('the last version arrives', async () => await servedVersion(replica) === 'swap-99', { timeoutMs: 5000, everyMs: 50 })
  swapping = false
  await loop
  t.equal(failures, 0, `no failed request out of ${requests}`)
  t.ok(seen.size > 1, `the loop saw ${seen.size} versions`)
  for (const v of seen) t.ok(published.has(v), `${v} was published`)
})

t.test('Redis killed mid-run: replicas keep serving, report degraded, and catch up when it returns', async (t) => {
  const server = await startRedisServer()
  t.teardown(async () => await server.stop())
  const prefix = 'kill:'
  const replica = await startReplica(t, server.url, prefix)
  const publisher = async (version: string) => {
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1 })
    try {
      await new ModelRegistry({ redis, prefix, validate: modelFromRecord }).publish('BTCUSDT', sqrtRecord(version, 0.8))
    } finally {
      redis.disconnect()
    }
  }
  await publisher('before-kill')
  await waitFor('before-kill to be served', async () => await servedVersion(replica) === 'before-kill', { timeoutMs: 5000, everyMs: 50 })
  await server.kill()
  for (let i = 0; i < 20; i++) t.equal(await servedVersion(replica), 'before-kill', 'still served while Redis is down')
  await waitFor('/ready reports degraded (still 200)', async () => ((await (await fetch(`${replica.url}/ready`)).json()) as { status: string }).status === 'degraded', { timeoutMs: 10_000, everyMs: 100 })
  const models = await (await fetch(`${replica.url}/v1/models`)).json() as { registry: { connected: boolean } }
  t.equal(models.registry.connected, false, '/v1/models reports the registry down')
  await server.restart()
  await publisher('after-restart')
  await waitFor('caught up with the version published meanwhile', async () => await servedVersion(replica) === 'after-restart', { timeoutMs: 15_000, everyMs: 100 })
  await waitFor('ready again', async () => ((await (await fetch(`${replica.url}/ready`)).json()) as { status: string }).status === 'ready', { timeoutMs: 10_000, everyMs: 100 })
})

t.test('a corrupt record in Redis is rejected and reported; the old model keeps serving', async (t) => {
  const prefix = uniquePrefix()
  const redis = new Redis(LOCAL_REDIS_URL)
  t.teardown(async () => { await deleteKeys(redis, prefix); redis.disconnect() })
  const registry = new ModelRegistry({ redis, prefix, validate: modelFromRecord })
  const replica = await startReplica(t, LOCAL_REDIS_URL, prefix)
  await registry.publish('BTCUSDT', sqrtRecord('good-1', 0.9))
  await waitFor('good-1 to be served', async () => await servedVersion(replica) === 'good-1', { timeoutMs: 5000, everyMs: 50 })
  // an operator's hand edit gone wrong: a record whose eta is a string, made active by hand
  const corrupt = { ...sqrtRecord('corrupt-1', 0.9), params: { impactCoef: 'lots', impactExponent: 0.5, smearingFactor: 1 } }
  await redis.set(`${prefix}{registry}:record:BTCUSDT:sqrt:corrupt-1`, JSON.stringify(corrupt))
  await redis.zadd(`${prefix}{registry}:versions:BTCUSDT:sqrt`, Date.now(), 'corrupt-1')
  await redis.hset(`${prefix}{registry}:active:BTCUSDT`, 'sqrt', 'corrupt-1')
  await redis.publish(`${prefix}models:changed`, JSON.stringify({ symbol: 'BTCUSDT', name: 'sqrt', version: 'corrupt-1' }))
  await waitFor('GET /v1/models to report the rejected record', async () => {
    const models = await (await fetch(`${replica.url}/v1/models`)).json() as { registry: { sync?: { rejected: Array<{ version: string }> } } }
    return (models.registry.sync?.rejected ?? []).some((r) => r.version === 'corrupt-1')
  }, { timeoutMs: 5000, everyMs: 100 })
  for (let i = 0; i < 10; i++) t.equal(await servedVersion(replica), 'good-1', 'the old model keeps serving')
})
