import t from 'tap'
import { Redis } from 'ioredis'
import { startRedisServer } from '../support/redis-server.js'
import { waitFor } from '../support/wait.js'
import { describeLoad, underLoad } from '../support/load.js'
import { startServerProcess, type ServerProcess } from '../support/server-process.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { modelFromRecord, type ModelRecord } from '../../src/models/impact-model.js'
import { ModelRegistry } from '../../src/models/registry.js'

// Corrupt model records written straight into the registry's keys (src/models/registry.ts: key
// layout) while /v1/estimate runs under load. replicas.test.ts has the no-load variant.

const PREFIX = 'corrupt:'
const LOAD_LOOPS = 12
const embedded = loadEmbeddedModels('embedded/models.json')
const key = (suffix: string): string => `${PREFIX}{registry}:${suffix}`

function withVersion (record: ModelRecord, version: string): ModelRecord {
  return { ...record, version, source: 'registry', createdAtMs: Date.now() } as ModelRecord
}

type Slot = 'sqrt' | 'mlp'
interface Corruption { slot: Slot, version: string, why: string, write: (redis: Redis, recordKey: string) => Promise<unknown> }

const sqrtRecord = embedded.sqrt.record as Extract<ModelRecord, { name: 'sqrt' }>
const sqrtJson = (version: string, params: Record<string, unknown>): string => JSON.stringify({ ...withVersion(sqrtRecord, version), params: { ...sqrtRecord.params, ...params } })
const mlpRecord = embedded.mlp.record as ModelRecord & { model: { layers: Array<{ weights: number[][] }> } }

// each is a plausible operator or storage accident; every one must be rejected by the replica's sync
const corruptions: Corruption[] = [
  { slot: 'sqrt', version: 'string-eta', why: 'eta is a string', write: async (r, k) => await r.set(k, sqrtJson('string-eta', { impactCoef: 'lots' })) },
  // JSON.parse turns 1e400 into Infinity: a non-finite parameter must not reach the math
  { slot: 'sqrt', version: 'infinite-eta', why: 'eta overflows to Infinity', write: async (r, k) => await r.set(k, sqrtJson('infinite-eta', { impactCoef: 1 }).replace('"impactCoef":1', '"impactCoef":1e400')) },
  { slot: 'sqrt', version: 'negative-delta', why: 'delta is negative', write: async (r, k) => await r.set(k, sqrtJson('negative-delta', { impactExponent: -0.5 })) },
  { slot: 'sqrt', version: 'torn-json', why: 'the JSON is cut in half', write: async (r, k) => { const json = sqrtJson('torn-json', {}); return await r.set(k, json.slice(0, json.length >> 1)) } },
  { slot: 'sqrt', version: 'mislabelled', why: 'the record names another version', write: async (r, k) => await r.set(k, sqrtJson('someone-else', {})) },
  { slot: 'sqrt', version: 'wrong-type', why: 'the record key is a hash, not a string', write: async (r, k) => await r.hset(k, 'record', sqrtJson('wrong-type', {})) },
  { slot: 'sqrt', version: 'missing', why: 'the pointer names a record that does not exist', write: async () => undefined },
  {
    slot: 'mlp',
    version: 'short-layer',
    why: 'the first MLP layer lost a row of weights',
    write: async (r, k) => {
      const [first, ...rest] = mlpRecord.model.layers
      return await r.set(k, JSON.stringify({ ...withVersion(mlpRecord, 'short-layer'), model: { ...mlpRecord.model, layers: [{ ...first, weights: first.weights.slice(1) }, ...rest] } }))
    }
  }
]

async function servedVersion (replica: ServerProcess, model: Slot): Promise<string | undefined> {
  const res = await fetch(`${replica.url}/v1/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, model }) })
  return res.ok ? ((await res.json()) as { model: { version: string } }).model.version : undefined
}

async function rejectedVersions (replica: ServerProcess): Promise<string[]> {
  const body = await (await fetch(`${replica.url}/v1/models`)).json() as { registry: { sync?: { rejected: Array<{ version: string }> } } }
  return (body.registry.sync?.rejected ?? []).map((r) => r.version)
}

t.test('corrupt records made active under load: each is rejected and reported, the old models keep serving, no request fails', async (t) => {
  const server = await startRedisServer()
  t.teardown(async () => await server.stop())
  const redis = new Redis(server.url)
  t.teardown(() => redis.disconnect())
  const registry = new ModelRegistry({ redis, prefix: PREFIX, validate: modelFromRecord })
  // the periodic re-read is off for the test's length: every swap or rejection comes from a change notice
  const replica = await startServerProcess(t, { REDIS_URL: server.url, REDIS_PREFIX: PREFIX, REGISTRY_CHECK_MS: '600000', MARKET_DATA_SOURCE: 'embedded' })
  await registry.publish('BTCUSDT', withVersion(embedded.sqrt.record, 'good-1'))
  await registry.publish('BTCUSDT', withVersion(embedded.mlp.record, 'good-mlp-1'))
  const good: Record<Slot, string> = { sqrt: 'good-1', mlp: 'good-mlp-1' }
  for (const slot of ['sqrt', 'mlp'] as const) await waitFor(`${good[slot]} serves before the load starts`, async () => await servedVersion(replica, slot) === good[slot], { timeoutMs: 5000, everyMs: 50 })

  const { report } = await underLoad({
    url: `${replica.url}/v1/estimate`,
    concurrency: LOAD_LOOPS,
    // alternate the two slots under test, so a swap of either would show
    body: (i) => ({ symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, model: i % 2 === 0 ? 'sqrt' : 'mlp' }),
    pick: (body) => (body as { model: { name: string, version: string } }).model
  }, async (load) => {
    await load.moreRequests(100)
    for (const c of corruptions) {
      await c.write(redis, key(`record:BTCUSDT:${c.slot}:${c.version}`))
      await redis.hset(key('active:BTCUSDT'), c.slot, c.version)
      await redis.publish(`${PREFIX}models:changed`, JSON.stringify({ symbol: 'BTCUSDT', name: c.slot, version: c.version }))
      await waitFor(`${c.why}: rejected and reported by GET /v1/models`, async () => (await rejectedVersions(replica)).includes(c.version), { timeoutMs: 5000, everyMs: 50 })
      await load.moreRequests(100)
      // put the good pointer back, as the operator would after the alarm
      await redis.hset(key('active:BTCUSDT'), c.slot, good[c.slot])
    }
    // a valid publish after all that is served: the sync was not wedged by what it rejected
    await registry.publish('BTCUSDT', withVersion(embedded.sqrt.record, 'good-2'))
    good.sqrt = 'good-2'
    await waitFor('a good publish afterwards is served', () => load.report().outcomes.slice(-LOAD_LOOPS).some((o) => (o.picked as { version: string }).version === 'good-2'), { timeoutMs: 10_000, everyMs: 50 })
  })

  t.equal(report.failed, 0, `no failed request: ${describeLoad(report)}`)
  const served = new Map<string, number>()
  for (const o of report.outcomes) {
    const { name, version } = o.picked as { name: string, version: string }
    served.set(`${name} ${version}`, (served.get(`${name} ${version}`) ?? 0) + 1)
  }
  const allowed = new Set(['sqrt good-1', 'sqrt good-2', 'mlp good-mlp-1'])
  for (const [model, count] of served) t.ok(allowed.has(model), `${model} served ${count} times; only good versions may serve`)
})
