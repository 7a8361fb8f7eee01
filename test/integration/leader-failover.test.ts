import t from 'tap'
import { Redis } from 'ioredis'
import { startServerProcess, type ServerProcess } from '../support/server-process.js'
import { deleteKeys, LOCAL_REDIS_URL, uniquePrefix } from '../support/redis-test.js'
import { waitFor } from '../support/wait.js'
import { startFakeBybit } from '../fake-bybit/server.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { modelFromRecord, type ModelRecord } from '../../src/models/impact-model.js'
import { ModelRegistry } from '../../src/models/registry.js'

interface Status { registry: { leader: { leader: boolean, token?: number } }, recalibration?: { runs: number } }

t.test('leader failover: one replica runs the job; kill it and another takes over within one lock period; the old token is refused', async (t) => {
  const fake = await startFakeBybit()
  t.teardown(() => fake.close())
  const prefix = uniquePrefix()
  const redis = new Redis(LOCAL_REDIS_URL)
  t.teardown(async () => { await deleteKeys(redis, prefix); redis.disconnect() })
  const ttlMs = 1500

  const replicas: ServerProcess[] = []
  for (let i = 0; i < 2; i++) {
    replicas.push(await startServerProcess(t, {
      MARKET_DATA_SOURCE: 'bybit',
      BYBIT_REST_URL: fake.restUrl,
      BYBIT_WS_URL: fake.wsUrl,
      SYMBOLS: 'BTCUSDT',
      ADV_WINDOW_MINUTES: '1440',
      REDIS_URL: LOCAL_REDIS_URL,
      REDIS_PREFIX: prefix,
      LEADER_LOCK_TTL_MS: String(ttlMs),
      RECALIBRATE_CRON: '* * * * * *',
      MARKET_REFRESH_CRON: '0 0 1 1 *'
    }))
  }
  const status = async (r: { url: string }): Promise<Status | undefined> => {
    try { return await (await fetch(`${r.url}/v1/models`)).json() as Status } catch { return undefined }
  }
  let leader = -1
  await waitFor('exactly one leader, and it runs the job', async () => {
    const s = await Promise.all(replicas.map(status))
    const leaders = s.map((x, i) => x?.registry.leader.leader === true ? i : -1).filter((i) => i >= 0)
    if (leaders.length !== 1) return false
    leader = leaders[0]
    return (s[leader]?.recalibration?.runs ?? 0) >= 1
  }, { timeoutMs: 20_000, everyMs: 100 })
  const follower = 1 - leader
  t.equal((await status(replicas[follower]))?.recalibration?.runs ?? 0, 0, 'the follower does not run the job')
  const oldToken = (await status(replicas[leader]))?.registry.leader.token as number
  t.ok(oldToken >= 1)

  replicas[leader].child.kill('SIGKILL')
  const killedAt = Date.now()
  await waitFor('the other replica runs the job', async () => (await status(replicas[follower]))?.recalibration?.runs !== undefined && ((await status(replicas[follower]))?.recalibration?.runs ?? 0) >= 1, { timeoutMs: 10_000, everyMs: 100 })
  const tookMs = Date.now() - killedAt
  // one lock period (ttl) plus one renew interval (ttl/3) plus the next cron tick (1 s) and a busy machine's margin
  t.ok(tookMs < ttlMs + ttlMs / 3 + 1000 + 3000, `took over in ${tookMs} ms`)
  const newToken = (await status(replicas[follower]))?.registry.leader.token as number
  t.ok(newToken > oldToken, 'a new fencing token')

  const registry = new ModelRegistry({ redis, prefix, validate: modelFromRecord })
  const record = { ...loadEmbeddedModels('embedded/models.json').sqrt.record, version: 'late-publish', source: 'registry', createdAtMs: Date.now() } as ModelRecord
  await t.rejects(registry.publish('BTCUSDT', record, { fencingToken: oldToken }), { code: 'REGISTRY_ERR_STALE_LEADER' }, 'the old leader\'s late publish is refused')
  const current = await registry.publish('BTCUSDT', { ...record, version: 'fresh-publish' }, { fencingToken: newToken })
  t.equal(current.version, 'fresh-publish', 'the new leader\'s token is accepted')
})
