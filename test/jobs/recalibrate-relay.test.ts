import t from 'tap'
import { Redis } from 'ioredis'
import { RecalibrateRelay, RelayError } from '../../src/jobs/recalibrate-relay.js'
import type { SymbolOutcome } from '../../src/jobs/recalibrate.js'
import { sharedRedis } from '../support/redis-test.js'

// Two relays on the machine's Redis under a unique prefix: one plays the leader, one the replica asked.

function outcome (symbol: string): SymbolOutcome {
  return { symbol, outcome: 'kept', published: [], reason: 'test', startedAtMs: 1, finishedAtMs: 2 }
}

interface Logged { level: 'info' | 'warn', msg: string }

function relayOf (redis: Redis, prefix: string, leader: { value: boolean }, run: (symbols: string[] | undefined) => Promise<SymbolOutcome[]>, log: Logged[] = []): RecalibrateRelay {
  return new RecalibrateRelay({
    redis,
    prefix,
    isLeader: () => leader.value,
    run,
    pollMs: 20,
    logger: { info: (_o, msg) => log.push({ level: 'info', msg }), warn: (_o, msg) => log.push({ level: 'warn', msg }) }
  })
}

t.test('a replica without the lock gets the outcomes of a run made by the leader, with its symbols', async (t) => {
  const { redis, prefix } = await sharedRedis(t)
  const calls: Array<string[] | undefined> = []
  const leader = relayOf(redis, prefix, { value: true }, async (symbols) => { calls.push(symbols); return (symbols ?? ['ALL']).map(outcome) })
  const follower = relayOf(redis, prefix, { value: false }, async () => t.fail('the follower ran the job') as never)
  leader.start()
  follower.start()
  t.teardown(async () => { await leader.stop(); await follower.stop() })

  t.same(await follower.request(['BTCUSDT'], 5000), [outcome('BTCUSDT')], 'one symbol')
  t.same(await follower.request(undefined, 5000), [outcome('ALL')], 'every symbol (no list)')
  const three = await Promise.all(['A', 'B', 'C'].map(async (s) => await follower.request([s], 5000)))
  t.same(three, [[outcome('A')], [outcome('B')], [outcome('C')]], 'concurrent requests each get their own answer')
  t.same(calls.slice(0, 2), [['BTCUSDT'], undefined])
  t.equal(calls.length, 5, 'one run per request')
  t.same(await redis.keys(`${prefix}*`), [], 'answers are deleted once read; the empty queue is gone')
})

t.test('with no leader the request fails with RELAY_NO_LEADER after its timeout, and a later leader does not run it', async (t) => {
  const { redis, prefix } = await sharedRedis(t)
  const leader = { value: false }
  const runs: Array<string[] | undefined> = []
  const log: Logged[] = []
  const relay = relayOf(redis, prefix, leader, async (symbols) => { runs.push(symbols); return (symbols ?? []).map(outcome) }, log)
  relay.start()
  t.teardown(async () => await relay.stop())
  const started = Date.now()
  const early = relay.request(['EARLY'], 300)
  // queued behind it with a longer timeout, so the queue (which expires with its newest request) keeps the early one
  const late = relay.request(['LATE'], 10_000)
  await t.rejects(early, { name: 'RelayError', code: 'RELAY_NO_LEADER' })
  t.ok(Date.now() - started >= 300, 'waited the whole timeout')
  leader.value = true
  t.same(await late, [outcome('LATE')], 'a leader that appears in time answers')
  t.same(runs, [['LATE']], 'the expired request was not run')
  t.ok(log.some((l) => l.level === 'warn' && l.msg.includes('expired')), 'its drop was logged')
})

t.test('a run that throws on the leader is answered with its error at once (RELAY_RUN_FAILED), not after the timeout', async (t) => {
  const { redis, prefix } = await sharedRedis(t)
  const relay = relayOf(redis, prefix, { value: true }, async () => { throw new Error('venue down') })
  relay.start()
  t.teardown(async () => await relay.stop())
  const started = Date.now()
  const err = await relay.request(['BTCUSDT'], 10_000).catch((e: unknown) => e)
  t.ok(err instanceof RelayError && err.code === 'RELAY_RUN_FAILED' && err.message.includes('venue down'), String(err))
  t.ok(Date.now() - started < 10_000, 'before the timeout')
})

t.test('malformed queue entries are dropped and logged; the next request is served', async (t) => {
  const { redis, prefix } = await sharedRedis(t)
  const log: Logged[] = []
  const relay = relayOf(redis, prefix, { value: true }, async (symbols) => (symbols ?? []).map(outcome), log)
  for (const junk of ['not json', '{"id":1}', '{"id":"x","deadlineMs":1e15,"symbols":[1]}']) await redis.rpush(`${prefix}{jobs}:recalibrate:queue`, junk)
  relay.start()
  t.teardown(async () => await relay.stop())
  t.same(await relay.request(['ETHUSDT'], 5000), [outcome('ETHUSDT')])
  t.equal(log.filter((l) => l.msg.startsWith('malformed')).length, 3)
})

t.test('stop() waits until a run in flight has been answered', async (t) => {
  const { redis, prefix } = await sharedRedis(t)
  let finish: () => void = () => {}
  const running = new Promise<void>((resolve) => { finish = resolve })
  let started = false
  const leader = relayOf(redis, prefix, { value: true }, async (symbols) => { started = true; await running; return (symbols ?? []).map(outcome) })
  const follower = relayOf(redis, prefix, { value: false }, async () => [])
  leader.start()
  const answered = follower.request(['BTCUSDT'], 5000)
  // eslint-disable-next-line no-unmodified-loop-condition -- the flag is cleared by another async task
  while (!started) await new Promise((resolve) => setTimeout(resolve, 10))
  let stopped = false
  const stopping = leader.stop().then(() => { stopped = true })
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.notOk(stopped, 'stop is waiting for the run')
  finish()
  await stopping
  t.same(await answered, [outcome('BTCUSDT')], 'the run in flight was answered')
})

t.test('Redis not answering: the request fails at once with RELAY_REDIS', async (t) => {
  const down = new Redis({ port: 1, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
  down.on('error', () => {})
  t.teardown(() => { down.disconnect() })
  const relay = relayOf(down, 'test:down:', { value: false }, async () => [])
  await t.rejects(relay.request(['BTCUSDT'], 60_000), { name: 'RelayError', code: 'RELAY_REDIS' })
})
