import t from 'tap'
import { Redis } from 'ioredis'
import { startRedisServer, type TestRedisServer } from '../support/redis-server.js'
import { waitFor } from '../support/wait.js'
import { describeLoad, underLoad } from '../support/load.js'
import { startServerProcess, type ServerProcess } from '../support/server-process.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { modelFromRecord, type ModelRecord } from '../../src/models/impact-model.js'
import { ModelRegistry } from '../../src/models/registry.js'

// Redis stopped (SIGTERM: clean shutdown) and killed (SIGKILL: a crash) under load on /v1/estimate.
// replicas.test.ts has the no-load "Redis killed" test; this one counts every request of the run.

const PREFIX = 'faults:'
const LOAD_LOOPS = 12
const OUTAGE_MS = 3000
// far longer than the test: catch-up must come from the reconnect and the change notices, not the periodic re-read
const REGISTRY_CHECK_MS = '600000'
const embedded = loadEmbeddedModels('embedded/models.json')

/** A sqrt record with its own version, as an operator or the job would publish it. */
function sqrtRecord (version: string): ModelRecord {
  return { ...embedded.sqrt.record, version, source: 'registry', createdAtMs: Date.now() } as ModelRecord
}

/** Publishes through a short-lived client, as an operator's CLI would. */
async function publish (server: TestRedisServer, version: string): Promise<void> {
  const redis = new Redis(server.url, { maxRetriesPerRequest: 1 })
  try {
    await new ModelRegistry({ redis, prefix: PREFIX, validate: modelFromRecord }).publish('BTCUSDT', sqrtRecord(version))
  } finally {
    redis.disconnect()
  }
}

async function servedVersion (replica: ServerProcess): Promise<string | undefined> {
  const res = await fetch(`${replica.url}/v1/estimate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, model: 'sqrt' }) })
  return res.ok ? ((await res.json()) as { model: { version: string } }).model.version : undefined
}

async function registryConnected (replica: ServerProcess): Promise<boolean> {
  const body = await (await fetch(`${replica.url}/v1/models`)).json() as { registry: { connected: boolean } }
  return body.registry.connected
}

t.test('Redis stopped, then killed, under load: no failed request, and the replica catches up after each restart', async (t) => {
  const server = await startRedisServer()
  t.teardown(async () => await server.stop())
  const replica = await startServerProcess(t, { REDIS_URL: server.url, REDIS_PREFIX: PREFIX, REGISTRY_CHECK_MS, MARKET_DATA_SOURCE: 'embedded' })
  await publish(server, 'before-outage')
  await waitFor('serves the published version before the outage', async () => await servedVersion(replica) === 'before-outage', { timeoutMs: 5000, everyMs: 50 })

  const published = new Set(['before-outage'])
  const { report } = await underLoad({
    url: `${replica.url}/v1/estimate`,
    concurrency: LOAD_LOOPS,
    body: () => ({ symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, model: 'sqrt' }),
    pick: (body) => (body as { model: { version: string } }).model.version
  }, async (load) => {
    for (const how of ['stop', 'kill'] as const) {
      await load.moreRequests(200)
      await (how === 'stop' ? server.stop() : server.kill())
      await waitFor(`${how}: the replica reports the registry down`, async () => !(await registryConnected(replica)), { timeoutMs: 10_000, everyMs: 100 })
      const before = load.report().requests
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS))
      const during = load.report().requests - before
      t.ok(during > 0, `${how}: ${during} requests while Redis was down`)
      await server.restart()
      // the restarted Redis is empty (no persistence): the replica keeps what it holds until a new publish
      const version = `after-${how}`
      await publish(server, version)
      published.add(version)
      await waitFor(`${how}: the version published into the restarted Redis is served`, async () => await servedVersion(replica) === version, { timeoutMs: 15_000, everyMs: 100 })
      await waitFor(`${how}: the registry is connected again`, async () => await registryConnected(replica), { timeoutMs: 10_000, everyMs: 100 })
      await load.moreRequests(200)
    }
  })

  t.equal(report.failed, 0, `no failed request: ${describeLoad(report)}`)
  const seen = new Set(report.outcomes.map((o) => o.picked as string))
  for (const version of seen) t.ok(published.has(version), `served ${version}, which was published`)
  t.ok(seen.has('after-stop') && seen.has('after-kill'), `the load itself saw both catch-ups (${[...seen].join(', ')})`)
})
