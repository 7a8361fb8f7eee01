import t from 'tap'
import { Redis } from 'ioredis'
import { setImmediate, setTimeout } from 'node:timers/promises'
import { isRelayError, RecalibrateRelay, RelayError, RELAY_ERROR_CODES, runOrRelay, type RecalibrateRelayOptions } from '../../src/jobs/recalibrate-relay.js'
import type { SymbolOutcome } from '../../src/jobs/recalibrate.js'
import { sharedRedis } from '../support/redis-test.js'

// Two relays on the machine's Redis under a unique prefix: one plays the leader, one the replica asked.

function outcome (symbol: string): SymbolOutcome {
  return { symbol, outcome: 'kept', published: [], reason: 'test', startedAtMs: 1, finishedAtMs: 2 }
}

interface Logged { level: 'info' | 'warn', msg: string }

function relayOf (redis: Redis, prefix: string, leader: { value: boolean }, run: (symbols: string[] | undefined) => Promise<SymbolOutcome[]>, log: Logged[] = [], timers: Pick<RecalibrateRelayOptions, 'sleep' | 'every'> = {}): RecalibrateRelay {
  return new RecalibrateRelay({
    redis,
    prefix,
    isLeader: () => leader.value,
    run,
    pollMs: 20,
    logger: { info: (_o, msg) => log.push({ level: 'info', msg }), warn: (_o, msg) => log.push({ level: 'warn', msg }) },
    ...timers
  })
}

/** A leader's poll that the test runs by hand: `tick()` resolves once that look for requests is over. */
function manualTicks (): { every: NonNullable<RecalibrateRelayOptions['every']>, tick: () => Promise<void> } {
  let tick: () => Promise<void> = async () => { throw new Error('the relay was not started') }
  return {
    every: (_ms, fn) => { tick = fn; return () => { tick = async () => {} } },
    tick: async () => await tick()
  }
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

t.test('with no leader the request fails with RELAY_ERR_TIMEOUT after its timeout, and a later leader does not run it', async (t) => {
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
  await t.rejects(early, { name: 'RelayError', code: 'RELAY_ERR_TIMEOUT' })
  t.ok(Date.now() - started >= 300, 'waited the whole timeout')
  leader.value = true
  t.same(await late, [outcome('LATE')], 'a leader that appears in time answers')
  t.same(runs, [['LATE']], 'the expired request was not run')
  t.ok(log.some((l) => l.level === 'warn' && l.msg.includes('expired')), 'its drop was logged')
})

t.test('a run that throws on the leader is answered with its error at once (RELAY_ERR_RUN_FAILED), not after the timeout', async (t) => {
  const { redis, prefix } = await sharedRedis(t)
  const relay = relayOf(redis, prefix, { value: true }, async () => { throw new Error('venue down') })
  relay.start()
  t.teardown(async () => await relay.stop())
  const started = Date.now()
  const err = await relay.request(['BTCUSDT'], 10_000).catch((e: unknown) => e)
  t.ok(err instanceof RelayError && err.code === 'RELAY_ERR_RUN_FAILED' && err.message.includes('venue down'), String(err))
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
  const ticks = manualTicks()
  const leader = relayOf(redis, prefix, { value: true }, async (symbols) => { started = true; await running; return (symbols ?? []).map(outcome) }, [], { every: ticks.every })
  // the follower's first wait for its answer comes once its request is in the queue
  let queued: () => void = () => {}
  const inQueue = new Promise<void>((resolve) => { queued = resolve })
  const follower = relayOf(redis, prefix, { value: false }, async () => [], [], { sleep: async (ms) => { queued(); await setTimeout(ms) } })
  leader.start()
  const answered = follower.request(['BTCUSDT'], 5000)
  await inQueue
  // one look for requests: it takes the request, starts the run and ends on the empty queue
  await ticks.tick()
  t.ok(started, 'the run started')
  let stopped = false
  const stopping = leader.stop().then(() => { stopped = true })
  // no poll is in progress and no timer is left: a stop() that did not wait for the run would
  // have resolved within the microtasks that all run before the next turn of the event loop
  await setImmediate()
  t.notOk(stopped, 'stop is waiting for the run')
  finish()
  await stopping
  t.same(await answered, [outcome('BTCUSDT')], 'the run in flight was answered')
})

t.test('Redis not answering: the request fails at once with RELAY_ERR_QUEUE', async (t) => {
  const down = new Redis({ port: 1, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
  down.on('error', () => {})
  t.teardown(() => { down.disconnect() })
  const relay = relayOf(down, 'test:down:', { value: false }, async () => [])
  await t.rejects(relay.request(['BTCUSDT'], 60_000), { name: 'RelayError', code: 'RELAY_ERR_QUEUE' })
})

t.test('an answer that is neither outcomes nor an error fails with RELAY_ERR_BAD_ANSWER', async (t) => {
  const { redis, prefix } = await sharedRedis(t)
  let queued: () => void = () => {}
  const inQueue = new Promise<void>((resolve) => { queued = resolve })
  const relay = relayOf(redis, prefix, { value: false }, async () => [], [], { sleep: async (ms) => { queued(); await setTimeout(ms) } })
  const asked = relay.request(['BTCUSDT'], 10_000).catch((e: unknown) => e)
  await inQueue
  // play a leader that answers garbage
  const { id } = JSON.parse(await redis.lpop(`${prefix}{jobs}:recalibrate:queue`) ?? '{}') as { id: string }
  await redis.set(`${prefix}{jobs}:recalibrate:answer:${id}`, '{"outcomes":"nope"}')
  const err = await asked
  t.ok(err instanceof RelayError && err.code === 'RELAY_ERR_BAD_ANSWER', String(err))
  t.match((err as Error).message, /unreadable answer \{"outcomes":"nope"\}/)
})

t.test('every RelayError code is catalogued, and isRelayError matches on it', async (t) => {
  t.same(Object.keys(RELAY_ERROR_CODES).sort(), ['RELAY_ERR_BAD_ANSWER', 'RELAY_ERR_QUEUE', 'RELAY_ERR_RUN_FAILED', 'RELAY_ERR_TIMEOUT'])
  for (const code of Object.keys(RELAY_ERROR_CODES) as Array<keyof typeof RELAY_ERROR_CODES>) {
    t.ok(isRelayError(new RelayError(code, 'x')), code)
  }
  t.notOk(isRelayError(new Error('x')))
  t.notOk(isRelayError(Object.assign(new Error('x'), { code: 'REGISTRY_ERR_REDIS' })))
  t.notOk(isRelayError({ code: 'RELAY_ERR_TIMEOUT' }), 'not an Error')
  t.notOk(isRelayError(undefined))
})

t.test('runOrRelay: the leader, or a replica without a registry, runs here; another replica relays with the timeout', async (t) => {
  const calls: string[] = []
  const run = async (symbols: string[] | undefined): Promise<SymbolOutcome[]> => { calls.push(`run ${String(symbols)}`); return [outcome('HERE')] }
  const relay = { request: async (symbols: string[] | undefined, timeoutMs: number): Promise<SymbolOutcome[]> => { calls.push(`relay ${String(symbols)} ${timeoutMs}`); return [outcome('THERE')] } }
  const leader = { value: true }
  const withRegistry = runOrRelay({ run, relay, isLeader: () => leader.value, timeoutMs: 1234 })
  t.same(await withRegistry(['BTCUSDT']), [outcome('HERE')], 'leader: here')
  leader.value = false
  t.same(await withRegistry(['BTCUSDT']), [outcome('THERE')], 'not leader: relayed')
  t.same(await withRegistry(undefined), [outcome('THERE')], 'every symbol, relayed')
  const alone = runOrRelay({ run, isLeader: () => false, timeoutMs: 1234 })
  t.same(await alone(undefined), [outcome('HERE')], 'no registry: here')
  t.same(calls, ['run BTCUSDT', 'relay BTCUSDT 1234', 'relay undefined 1234', 'run undefined'])
  const failing = runOrRelay({ run, relay: { request: async () => { throw new RelayError('RELAY_ERR_TIMEOUT', 'no leader') } }, isLeader: () => false, timeoutMs: 1 })
  await t.rejects(failing(['BTCUSDT']), { code: 'RELAY_ERR_TIMEOUT' }, 'the relay\'s error reaches the caller')
})
