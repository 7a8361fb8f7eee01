import t from 'tap'
import { Redis } from 'ioredis'
import { startServerProcess, type ServerProcess } from '../support/server-process.js'
import { deleteKeys, LOCAL_REDIS_URL, uniquePrefix } from '../support/redis-test.js'
import { waitFor } from '../support/wait.js'
import { startFakeBybit } from '../fake-bybit/server.js'
import { syntheticTape, syntheticTapeJobEnv } from '../support/synthetic-tape.js'

// Two replicas behind an imaginary load balancer: an admin recalibration that lands on the one
// without the leader lock is run by the leader, and the caller gets the leader's outcomes.

const KEY = 'relay-test-admin-key-0123456789'

interface Status {
  registry: { leader: { leader: boolean } }
  marketData: { tape?: { lastMessageMs?: number, tradesBySymbol?: Record<string, number> } }
  symbols: Array<{ symbol: string, models: Array<{ name: string, version: string }> }>
  recalibration?: { runs: number, symbols?: Record<string, { outcome: string, reason: string, finishedAtMs: number }> }
}

t.test('POST /v1/admin/recalibrate on the replica without the lock is run by the leader and answered with its outcomes', async (t) => {
  const fake = await startFakeBybit()
  t.teardown(() => fake.close())
  const prefix = uniquePrefix()
  const redis = new Redis(LOCAL_REDIS_URL)
  t.teardown(async () => { await deleteKeys(redis, prefix); redis.disconnect() })

  const replicas: ServerProcess[] = []
  for (let i = 0; i < 2; i++) {
    replicas.push(await startServerProcess(t, {
      // the job runs only when asked, on a synthetic tape it can publish from
      ...syntheticTapeJobEnv(fake),
      SYMBOLS: 'BTCUSDT',
      REDIS_URL: LOCAL_REDIS_URL,
      REDIS_PREFIX: prefix,
      LEADER_LOCK_TTL_MS: '1500',
      ADMIN_API_KEY: KEY
    }))
  }
  const status = async (r: ServerProcess): Promise<Status> => await (await fetch(`${r.url}/v1/models`)).json() as Status
  let leader = -1
  await waitFor('exactly one replica holds the lock', async () => {
    const leaders = (await Promise.all(replicas.map(status))).map((s, i) => s.registry.leader.leader ? i : -1).filter((i) => i >= 0)
    leader = leaders.length === 1 ? leaders[0] : -1
    return leader >= 0
  }, { timeoutMs: 15_000, everyMs: 100 })
  const follower = replicas[1 - leader]
  // the first message a tape gets is the fake's subscribe reply: from then on pushed trades reach it
  await waitFor('both trade tapes are subscribed', async () => (await Promise.all(replicas.map(status))).every((s) => s.marketData.tape?.lastMessageMs !== undefined), { timeoutMs: 10_000, everyMs: 50 })
  const tape = syntheticTape(fake.nowMs(), 1900, 11)
  fake.pushTrades('BTCUSDT', tape)
  await waitFor('both hold the tape', async () => (await Promise.all(replicas.map(status))).every((s) => (s.marketData.tape?.tradesBySymbol?.BTCUSDT ?? 0) >= tape.length), { timeoutMs: 10_000, everyMs: 100 })
  const sqrtVersion = (s: Status): string | undefined => s.symbols.find((x) => x.symbol === 'BTCUSDT')?.models.find((m) => m.name === 'sqrt')?.version
  const before = sqrtVersion(await status(follower))

  const res = await fetch(`${follower.url}/v1/admin/recalibrate?symbol=BTCUSDT`, { method: 'POST', headers: { 'x-api-key': KEY } })
  t.equal(res.status, 200)
  const { outcomes } = await res.json() as { outcomes: Array<{ symbol: string, outcome: string, reason: string, finishedAtMs: number }> }
  t.equal(outcomes.length, 1)
  t.equal(outcomes[0].symbol, 'BTCUSDT')
  t.equal(outcomes[0].outcome, 'published', `published, not refused for want of the lock (${outcomes[0].reason})`)

  const [onLeader, onFollower] = [await status(replicas[leader]), await status(follower)]
  t.equal(onLeader.recalibration?.runs, 1, 'the leader ran the job once')
  t.equal(onFollower.recalibration?.runs ?? 0, 0, 'the replica asked did not run it')
  const last = onLeader.recalibration?.symbols?.BTCUSDT
  t.match(last, { outcome: outcomes[0].outcome, reason: outcomes[0].reason, finishedAtMs: outcomes[0].finishedAtMs }, 'the answer is the leader\'s own outcome')
  await waitFor('the replica asked serves what the leader published', async () => sqrtVersion(await status(follower)) !== before, { timeoutMs: 5000, everyMs: 100 })

  // the leader's replica answers the same request itself
  const direct = await fetch(`${replicas[leader].url}/v1/admin/recalibrate?symbol=BTCUSDT`, { method: 'POST', headers: { 'x-api-key': KEY } })
  t.equal(direct.status, 200)
  t.equal((await status(replicas[leader])).recalibration?.runs, 2)
})
