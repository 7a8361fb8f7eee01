import t, { type Test } from 'tap'
import { Redis } from 'ioredis'
import { fakeClock } from '../support/fake-clock.js'
import { startRedisServer } from '../support/redis-server.js'
import { sharedRedis } from '../support/redis-test.js'
import { sleep, waitFor } from '../support/wait.js'
import { LeaderLock, LeaderLockError, type LeaderLockOptions, type LeaderState } from '../../src/jobs/leader-lock.js'

const WAIT = { timeoutMs: 5000, everyMs: 10 }

/** `redis` with a count of the eval calls that have been answered (or failed), to know a tick is over. */
function counted (redis: Redis): { redis: Redis, settled: () => number } {
  let settled = 0
  const wrapper = {
    eval: async (...args: Parameters<Redis['eval']>) => {
      try {
        return await redis.eval(...args)
      } finally {
        settled++
      }
    }
  }
  return { redis: wrapper as unknown as Redis, settled: () => settled }
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
  const { redis, prefix } = await sharedRedis(tt)
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
  const { redis, prefix } = await sharedRedis(tt)
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
  const { redis, prefix } = await sharedRedis(tt)
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

t.test('the leader renews before its lease ends and keeps the lock over several ttl periods', async (tt) => {
  // Both locks tick on a fake clock, and the lock key's expiry in Redis is aged in step with it
  // before each tick: a lock that failed to renew in time would lose the key (and its lease) here
  // just as in real time, but no real-time delay on a busy machine can make the test fail.
  const { redis, prefix } = await sharedRedis(tt)
  const lockKey = `${prefix}{registry}:leader:lock`
  const ttlMs = 60_000
  const renewEveryMs = 20_000
  const periods = 5
  const clock = fakeClock()
  const calls = { a: counted(redis), b: counted(redis) }
  const a = makeLock(tt, { redis: calls.a.redis, prefix, ownerId: 'a', ttlMs, renewEveryMs, nowMs: clock.nowMs, every: clock.every })
  a.lock.start()
  await waitFor('a to lead', () => a.lock.isLeader(), WAIT)
  const b = makeLock(tt, { redis: calls.b.redis, prefix, ownerId: 'b', ttlMs, renewEveryMs, nowMs: clock.nowMs, every: clock.every })
  b.lock.start()
  await waitFor('b\'s first acquire to be answered', () => calls.b.settled() === 1, WAIT)
  const token = a.lock.token()
  /** Redis's clock moves with the fake one: the lock key loses `ms` of its remaining time, and is gone once none is left. */
  const ageLockKey = async (ms: number): Promise<void> => {
    const leftMs = await redis.pttl(lockKey)
    if (leftMs > ms) await redis.pexpire(lockKey, leftMs - ms)
    else await redis.del(lockKey)
  }
  const steps = periods * ttlMs / renewEveryMs
  const kept: string[] = []
  for (let step = 1; step <= steps; step++) {
    await ageLockKey(renewEveryMs)
    await clock.advance(renewEveryMs)
    const { leader, leaseUntilMs = 0 } = a.lock.status()
    const pttlMs = await redis.pttl(lockKey)
    // renewed this tick: the local lease outlives the next tick, and the key's expiry is back above what ageing left it
    if (leader && leaseUntilMs > clock.nowMs() + renewEveryMs && pttlMs > ttlMs - renewEveryMs) kept.push(`step ${step}`)
    else kept.push(`step ${step}: leader ${String(leader)}, lease until ${leaseUntilMs} at ${clock.nowMs()}, pttl ${pttlMs} ms`)
  }
  tt.same(kept, Array.from({ length: steps }, (_, i) => `step ${i + 1}`), 'a renewed on every tick, before its lease ended')
  tt.equal(calls.a.settled(), 1 + steps, 'one acquire, then one renew a tick')
  tt.equal(calls.b.settled(), 1 + steps, 'b tried to acquire on every tick')
  tt.equal(a.lock.isLeader(), true)
  tt.equal(a.lock.token(), token)
  tt.equal(a.changes.length, 1, 'a never lost leadership')
  tt.equal(b.changes.length, 0, 'b never led')
  tt.ok(await redis.pttl(lockKey) > 0, 'the lock still has an expiry')
  await a.lock.stop()
  tt.equal(await redis.get(lockKey), null, 'stop released the lock')
  await clock.advance(renewEveryMs)
  tt.equal(b.lock.isLeader(), true, 'b takes over on its next tick after a stopped')
})

t.test('kill the leader: the other takes over within one lock period and the old token is stale', async (tt) => {
  const { redis, prefix } = await sharedRedis(tt)
  const ttlMs = 1000
  const renewEveryMs = 300
  const a = makeLock(tt, { redis, prefix, ownerId: 'a', ttlMs, renewEveryMs })
  a.lock.start()
  await waitFor('a to lead', () => a.lock.isLeader(), WAIT)
  const b = makeLock(tt, { redis, prefix, ownerId: 'b', ttlMs, renewEveryMs })
  b.lock.start()
  const oldToken = a.lock.token() as number
  a.lock.crash()
  tt.equal(await redis.get(`${prefix}{registry}:leader:lock`), 'a', 'a crash leaves the lock behind')
  // one lock period (ttl + renewEvery) plus a margin for a loaded machine's scheduling
  const tookMs = await waitFor('b to take over', () => b.lock.isLeader(), { timeoutMs: ttlMs + renewEveryMs + 1000, everyMs: 10 })
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
  await waitFor('the renew to be sent', () => replies.length === 1, WAIT)
  clockMs += 999
  tt.equal(a.lock.isLeader(), true, 'still inside the lease')
  clockMs += 1
  tt.equal(a.lock.isLeader(), false, 'lease over: not leader, although the renew is still pending')
  tt.equal(a.lock.token(), undefined)
  await waitFor('the loop to announce the step-down', () => a.changes.length === 2, WAIT)
  tt.same(a.changes[1], { leader: false, reason: 'lease expired' })
  tt.equal(replies.length, 1, 'no second call while one is in flight')
  replies.shift()?.(1) // the renew answers late: too late to count
  await sleep(50)
  tt.equal(a.lock.isLeader(), false)
  // a reply granting a lease that has already ended counts as not acquired
  const late = a.lock.tryAcquire()
  clockMs += 2000
  await waitFor('the acquire to be sent', () => replies.length >= 1, WAIT)
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
  await waitFor('the loop to report the error', () => a.errors.length > 0, WAIT)
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
  await waitFor('a to lead', () => a.lock.isLeader(), WAIT)
  b.lock.start()
  const killedAtMs = Date.now()
  await server.kill()
  const leaseUntilMs = a.lock.status().leaseUntilMs as number
  tt.ok(leaseUntilMs <= killedAtMs + ttlMs, 'no lease reaches past ttl after the last renew Redis could have seen')
  await waitFor('a to step down', () => !a.lock.isLeader(), { timeoutMs: ttlMs + renewEveryMs + 1000, everyMs: 10 })
  tt.ok(Date.now() >= leaseUntilMs, 'a led until its lease ended, not past it')
  await waitFor('the step-down to be announced', () => a.changes.length === 2, WAIT)
  tt.same(a.changes[1], { leader: false, reason: 'lease expired' })
  tt.ok(a.errors.length > 0, 'the failed renewals were reported')
  tt.equal(b.lock.isLeader(), false, 'nobody leads while Redis is down')

  await server.restart() // a fresh, empty Redis on the same port (no persistence)
  await waitFor('leadership to resume', () => a.lock.isLeader() || b.lock.isLeader(), { timeoutMs: 10_000, everyMs: 10 })
  tt.equal([a.lock.isLeader(), b.lock.isLeader()].filter(Boolean).length, 1, 'exactly one leader')
  await a.lock.stop()
  await b.lock.stop()
})
