import t, { type Test } from 'tap'
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { startRedisServer } from '../support/redis-server.js'
import { LeaderLock, LeaderLockError, type LeaderLockOptions, type LeaderState } from '../../src/jobs/leader-lock.js'

/** Polls until cond() holds; fails the wait after deadlineMs. Returns the time it took. */
async function waitFor (cond: () => boolean, deadlineMs: number, what: string): Promise<number> {
  const startMs = Date.now()
  while (!cond()) {
    if (Date.now() - startMs > deadlineMs) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return Date.now() - startMs
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

/** A client on the machine's Redis and a unique prefix, both cleaned up in teardown. */
function sharedRedis (tt: Test): { redis: Redis, prefix: string } {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: false })
  const prefix = `test:${randomUUID()}:`
  tt.teardown(async () => {
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 100)
      if (keys.length > 0) await redis.unlink(...keys)
      cursor = next
    } while (cursor !== '0')
    redis.disconnect()
  })
  return { redis, prefix }
}

/** A lock with its changes recorded; stopped in teardown. */
function makeLock (tt: Test, options: Omit<LeaderLockOptions, 'onChange'>): { lock: LeaderLock, changes: LeaderState[], errors: unknown[] } {
  const changes: LeaderState[] = []
  const errors: unknown[] = []
  const lock = new LeaderLock({ onError: (err) => errors.push(err), ...options, onChange: (s) => changes.push(s) })
  tt.teardown(async () => { await lock.stop() })
  return { lock, changes, errors }
}

t.test('options are checked at construction, naming the bad one', async (tt) => {
  const redis = { eval: async () => 0 } as unknown as Redis
  tt.throws(() => new LeaderLock({ redis, prefix: 'p:', ownerId: '', ttlMs: 1000 }), /ownerId/)
  tt.throws(() => new LeaderLock({ redis, prefix: 'p:', ownerId: 'a', ttlMs: 0 }), /ttlMs/)
  tt.throws(() => new LeaderLock({ redis, prefix: 'p:', ownerId: 'a', ttlMs: 1000, renewEveryMs: 1000 }), /renewEveryMs/)
  tt.throws(() => new LeaderLock({ redis: {} as Redis, prefix: 'p:', ownerId: 'a', ttlMs: 1000 }), /redis/)
})

t.test('two locks compete: exactly one leader, and only it runs the job', async (tt) => {
  const { redis, prefix } = sharedRedis(tt)
  const a = makeLock(tt, { redis, prefix, ownerId: 'a', ttlMs: 5000 })
  const b = makeLock(tt, { redis, prefix, ownerId: 'b', ttlMs: 5000 })
  const [ta, tb] = await Promise.all([a.lock.tryAcquire(), b.lock.tryAcquire()])
  tt.equal([ta, tb].filter((x) => x !== undefined).length, 1, 'one token')
  tt.equal([a.lock.isLeader(), b.lock.isLeader()].filter(Boolean).length, 1, 'one leader')
  const leader = a.lock.isLeader() ? a.lock : b.lock
  const follower = leader === a.lock ? b.lock : a.lock
  tt.equal(await redis.get(`${prefix}{registry}:leader:lock`), leader === a.lock ? 'a' : 'b')
  tt.equal(await redis.get(`${prefix}{registry}:leader:fence`), String(leader.token()))
  tt.same(await leader.runIfLeader(async (token) => token), { ran: true, result: leader.token() })
  tt.same(await follower.runIfLeader(async () => tt.fail('follower ran the job')), { ran: false, reason: 'not leader' })
  tt.equal(await follower.renew(), false, 'a follower has nothing to renew')
  tt.equal(await leader.tryAcquire(), leader.token(), 'the holder re-acquiring keeps its token')
})

t.test('tokens strictly increase across acquisitions; release lets another acquire at once', async (tt) => {
  const { redis, prefix } = sharedRedis(tt)
  const a = makeLock(tt, { redis, prefix, ownerId: 'a', ttlMs: 60_000 })
  const b = makeLock(tt, { redis, prefix, ownerId: 'b', ttlMs: 60_000 })
  const tokens: number[] = []
  for (let i = 0; i < 3; i++) {
    for (const { lock } of [a, b]) {
      const token = await lock.tryAcquire()
      tt.ok(token !== undefined, 'acquired right after the other released (ttl 60 s, so not by expiry)')
      tokens.push(token as number)
      await lock.release()
      tt.equal(lock.isLeader(), false)
    }
  }
  tt.ok(tokens.every((tok, i) => i === 0 || tok > tokens[i - 1]), `tokens ${tokens.join(',')} increase`)
  tt.same(a.changes.map((c) => c.leader), [true, false, true, false, true, false])
  tt.equal(await redis.exists(`${prefix}{registry}:leader:lock`), 0, 'released: no lock key')
})

t.test('renew is refused once the lock is not this owner\'s, or the fence moved', async (tt) => {
  const { redis, prefix } = sharedRedis(tt)
  const a = makeLock(tt, { redis, prefix, ownerId: 'a', ttlMs: 60_000 })
  const token = await a.lock.tryAcquire()
  tt.equal(await a.lock.renew(), true)
  await redis.incr(`${prefix}{registry}:leader:fence`)
  tt.equal(await a.lock.renew(), false, 'fence moved: a newer leadership exists')
  tt.same(a.changes, [{ leader: true, token, reason: 'acquired' }, { leader: false, reason: 'renew refused' }])
  await a.lock.tryAcquire()
  await redis.set(`${prefix}{registry}:leader:lock`, 'someone-else')
  tt.equal(await a.lock.renew(), false, 'lock taken by another owner')
  await a.lock.release()
  tt.equal(await redis.get(`${prefix}{registry}:leader:lock`), 'someone-else', 'release never deletes another owner\'s lock')
})

t.test('the leader renews and keeps the lock over several ttl periods', async (tt) => {
  const { redis, prefix } = sharedRedis(tt)
  const ttlMs = 600
  const a = makeLock(tt, { redis, prefix, ownerId: 'a', ttlMs })
  a.lock.start()
  await waitFor(() => a.lock.isLeader(), 5000, 'a to lead')
  const b = makeLock(tt, { redis, prefix, ownerId: 'b', ttlMs })
  b.lock.start()
  const token = a.lock.token()
  await sleep(5 * ttlMs)
  tt.equal(a.lock.isLeader(), true)
  tt.equal(a.lock.token(), token)
  tt.equal(a.changes.length, 1, 'a never lost leadership')
  tt.equal(b.changes.length, 0, 'b never led')
  tt.ok(await redis.pttl(`${prefix}{registry}:leader:lock`) > 0, 'the lock still has an expiry')
  await a.lock.stop()
  tt.not(await redis.get(`${prefix}{registry}:leader:lock`), 'a', 'stop released the lock (b may already hold it)')
  await waitFor(() => b.lock.isLeader(), 5000, 'b to take over after a stopped')
})

t.test('kill the leader: the other takes over within one lock period and the old token is stale', async (tt) => {
  const { redis, prefix } = sharedRedis(tt)
  const ttlMs = 1000
  const renewEveryMs = 300
  const a = makeLock(tt, { redis, prefix, ownerId: 'a', ttlMs, renewEveryMs })
  a.lock.start()
  await waitFor(() => a.lock.isLeader(), 5000, 'a to lead')
  const b = makeLock(tt, { redis, prefix, ownerId: 'b', ttlMs, renewEveryMs })
  b.lock.start()
  const oldToken = a.lock.token() as number
  a.lock.crash()
  tt.equal(await redis.get(`${prefix}{registry}:leader:lock`), 'a', 'a crash leaves the lock behind')
  // one lock period (ttl + renewEvery) plus a margin for a loaded machine's scheduling
  const tookMs = await waitFor(() => b.lock.isLeader(), ttlMs + renewEveryMs + 1000, 'b to take over')
  tt.comment(`b took over ${tookMs} ms after a crashed`)
  const fence = Number(await redis.get(`${prefix}{registry}:leader:fence`))
  tt.ok(fence > oldToken, `fence ${fence} > the dead leader's token ${oldToken}: its late publish would be refused`)
  tt.equal(b.lock.token(), fence)
  tt.same(await a.lock.runIfLeader(async () => tt.fail('the crashed leader ran')), { ran: false, reason: 'leader lock stopped' })
})

t.test('the lease ends on the local clock even while a renew hangs', async (tt) => {
  let clockMs = 1_000_000
  const replies: Array<(n: number) => void> = []
  const redis = { eval: async () => await new Promise<number>((resolve) => replies.push(resolve)) } as unknown as Redis
  const a = makeLock(tt, { redis, prefix: 'p:', ownerId: 'a', ttlMs: 1000, renewEveryMs: 20, clockDriftMs: 0, nowMs: () => clockMs })
  const acquiring = a.lock.tryAcquire()
  replies.shift()?.(7)
  tt.equal(await acquiring, 7)
  tt.same(a.lock.status(), { ownerId: 'a', leader: true, token: 7, leaseUntilMs: 1_001_000 })
  a.lock.start() // its first tick sends a renew that never answers
  await waitFor(() => replies.length === 1, 5000, 'the renew to be sent')
  clockMs += 999
  tt.equal(a.lock.isLeader(), true, 'still inside the lease')
  clockMs += 1
  tt.equal(a.lock.isLeader(), false, 'lease over: not leader, although the renew is still pending')
  tt.equal(a.lock.token(), undefined)
  await waitFor(() => a.changes.length === 2, 5000, 'the loop to announce the step-down')
  tt.same(a.changes[1], { leader: false, reason: 'lease expired' })
  tt.equal(replies.length, 1, 'no second call while one is in flight')
  replies.shift()?.(1) // the renew answers late: too late to count
  await sleep(50)
  tt.equal(a.lock.isLeader(), false)
  // a reply granting a lease that has already ended counts as not acquired
  const late = a.lock.tryAcquire()
  clockMs += 2000
  await waitFor(() => replies.length >= 1, 5000, 'the acquire to be sent')
  for (const reply of replies.splice(0)) reply(8)
  tt.equal(await late, undefined)
  a.lock.crash()
})

t.test('Redis errors are typed; stop() never throws', async (tt) => {
  const redis = { eval: async () => { throw new Error('ECONNREFUSED') } } as unknown as Redis
  const a = makeLock(tt, { redis, prefix: 'p:', ownerId: 'a', ttlMs: 1000 })
  const err = await a.lock.tryAcquire().catch((e: unknown) => e)
  tt.ok(err instanceof LeaderLockError)
  tt.match(err, { code: 'LEADER_LOCK_ERR_REDIS', op: 'acquire' })
  const odd = { eval: async () => 'OK' } as unknown as Redis
  const b = makeLock(tt, { redis: odd, prefix: 'p:', ownerId: 'b', ttlMs: 1000 })
  await tt.rejects(b.lock.tryAcquire(), { code: 'LEADER_LOCK_ERR_REPLY' })
  a.lock.start()
  await waitFor(() => a.errors.length > 0, 5000, 'the loop to report the error')
  tt.match(a.lock.status(), { leader: false, lastError: /ECONNREFUSED/ })
  await a.lock.stop()
})

t.test('Redis outage: the leader steps down after its lease, and leadership resumes when Redis returns', async (tt) => {
  const server = await startRedisServer()
  tt.teardown(server.stop)
  const { port } = server
  const client = (opts: object): Redis => {
    const redis = new Redis({ host: '127.0.0.1', port, retryStrategy: () => 100, ...opts })
    redis.on('error', () => {}) // connection errors are expected here
    tt.teardown(() => redis.disconnect())
    return redis
  }
  // a fails fast during the outage; b's calls wait in ioredis' offline queue until it reconnects
  const ttlMs = 1000
  const renewEveryMs = 300
  const a = makeLock(tt, { redis: client({ maxRetriesPerRequest: 0 }), prefix: 'p:', ownerId: 'a', ttlMs, renewEveryMs })
  const b = makeLock(tt, { redis: client({ maxRetriesPerRequest: null }), prefix: 'p:', ownerId: 'b', ttlMs, renewEveryMs })
  a.lock.start()
  await waitFor(() => a.lock.isLeader(), 5000, 'a to lead')
  b.lock.start()
  const killedAtMs = Date.now()
  await server.kill()
  const leaseUntilMs = a.lock.status().leaseUntilMs as number
  tt.ok(leaseUntilMs <= killedAtMs + ttlMs, 'no lease reaches past ttl after the last renew Redis could have seen')
  await waitFor(() => !a.lock.isLeader(), ttlMs + renewEveryMs + 1000, 'a to step down')
  tt.ok(Date.now() >= leaseUntilMs, 'a led until its lease ended, not past it')
  await waitFor(() => a.changes.length === 2, 5000, 'the step-down to be announced')
  tt.same(a.changes[1], { leader: false, reason: 'lease expired' })
  tt.ok(a.errors.length > 0, 'the failed renewals were reported')
  tt.equal(b.lock.isLeader(), false, 'nobody leads while Redis is down')

  await server.restart() // a fresh, empty Redis on the same port (no persistence)
  await waitFor(() => a.lock.isLeader() || b.lock.isLeader(), 10_000, 'leadership to resume')
  tt.equal([a.lock.isLeader(), b.lock.isLeader()].filter(Boolean).length, 1, 'exactly one leader')
  await a.lock.stop()
  await b.lock.stop()
})
