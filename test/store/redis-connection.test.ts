import t, { type Test } from 'tap'
import type { Cluster, Redis } from 'ioredis'
import {
  createRedis, parseHostPorts, parseRedisUrl, reconnectDelayMs, redactRedisUrl, redisState, whenReady,
  type RedisClient, type RedisConnectionConfig
} from '../../src/store/redis-connection.js'
import { freePort, startRedisServer } from '../support/redis-server.js'
import { LOCAL_REDIS_URL, deleteKeys, uniquePrefix } from '../support/redis-test.js'
import { waitFor } from '../support/wait.js'

interface Logged { level: string, obj: object, msg: string }
function memoryLogger (): { lines: Logged[], logger: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void } } {
  const lines: Logged[] = []
  return { lines, logger: { info: (obj, msg) => lines.push({ level: 'info', obj, msg }), warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }) } }
}

/** createRedis that must return a client, disconnected at teardown. */
function connect (t: Test, config: RedisConnectionConfig, logger?: ReturnType<typeof memoryLogger>['logger']): RedisClient {
  const redis = createRedis(config, logger, { connectTimeoutMs: 1000, commandTimeoutMs: 2000 })
  if (redis === undefined) throw new Error('expected a client')
  t.teardown(() => redis.disconnect())
  return redis
}

/** 'resolved' | 'rejected' | 'pending' after at most `ms`. */
async function settlesWithin (promise: Promise<unknown>, ms: number): Promise<'resolved' | 'rejected' | 'pending'> {
  let timer: NodeJS.Timeout | undefined
  const pending = new Promise<'pending'>((resolve) => { timer = setTimeout(() => resolve('pending'), ms) })
  const outcome = await Promise.race([promise.then(() => 'resolved' as const, () => 'rejected' as const), pending])
  clearTimeout(timer)
  return outcome
}

t.test('parseHostPorts', async (t) => {
  t.same(parseHostPorts('a:1,b.example:26379', 'REDIS_SENTINELS'), [{ host: 'a', port: 1 }, { host: 'b.example', port: 26379 }])
  t.same(parseHostPorts(' 10.0.0.1:7000 , [::1]:7001 ', 'X'), [{ host: '10.0.0.1', port: 7000 }, { host: '::1', port: 7001 }])
  for (const bad of ['', ' ', 'a', 'a:', ':6379', 'a:0', 'a:65536', 'a:1,', 'a:1,,b:2', 'a:b', 'a:1:2', 'a b:1', 'host:6379/0']) {
    t.throws(() => parseHostPorts(bad, 'REDIS_CLUSTER_NODES'), { name: 'RedisConfigError', code: 'PRETRADE_ERR_REDIS_CONFIG', variable: 'REDIS_CLUSTER_NODES', message: /^REDIS_CLUSTER_NODES: / }, JSON.stringify(bad))
  }
})

t.test('parseRedisUrl and redactRedisUrl', async (t) => {
  t.same(parseRedisUrl('redis://localhost'), { host: 'localhost', port: 6379, username: undefined, password: undefined, db: 0, tls: false })
  t.same(parseRedisUrl('rediss://user:p%40ss@redis.example:6380/3'), { host: 'redis.example', port: 6380, username: 'user', password: 'p@ss', db: 3, tls: true })
  t.same(parseRedisUrl('redis://:secret@[::1]:7000'), { host: '::1', port: 7000, username: undefined, password: 'secret', db: 0, tls: false })
  for (const bad of ['localhost:6379', 'http://localhost:6379', 'redis://localhost:6379/x', 'redis://localhost:99999', 'redis://:pw@/0']) {
    t.throws(() => parseRedisUrl(bad), { variable: 'REDIS_URL', message: /^REDIS_URL: / }, bad)
  }
  const err = t.throws(() => parseRedisUrl('redis://:hunter22@host:6379/x')) as Error
  t.notMatch(err.message, /hunter22/, 'no password in the error')
  t.equal(redactRedisUrl('redis://:hunter22@host:6379/1'), 'redis://:***@host:6379/1')
  t.equal(redactRedisUrl('rediss://me:hunter22@host'), 'rediss://me:***@host')
  t.equal(redactRedisUrl('redis://host:6379'), 'redis://host:6379')
  t.notMatch(redactRedisUrl('not a url //me:hunter22@x'), /hunter22/)
})

t.test('reconnectDelayMs: capped exponential, never gives up', async (t) => {
  t.same([1, 2, 3, 4, 5, 6, 7].map(reconnectDelayMs), [50, 100, 200, 400, 800, 1600, 2000])
  t.equal(reconnectDelayMs(1_000_000), 2000)
})

t.test('createRedis: nothing configured is no registry; bad combinations throw naming the variable', async (t) => {
  t.equal(createRedis({}), undefined)
  t.equal(createRedis({ REDIS_URL: '', REDIS_SENTINELS: ' ' }), undefined)
  t.throws(() => createRedis({ REDIS_SENTINELS: '127.0.0.1:26379' }), { name: 'RedisConfigError', variable: 'REDIS_SENTINEL_NAME' }, 'sentinels need a name')
  t.throws(() => createRedis({ REDIS_SENTINELS: 'nope', REDIS_SENTINEL_NAME: 'm' }), { name: 'RedisConfigError', variable: 'REDIS_SENTINELS' }, 'bad sentinel list')
  t.throws(() => createRedis({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_URL: 'redis://:pw@x/2' }), { variable: 'REDIS_URL', message: /database 0/ })
  t.throws(() => createRedis({ REDIS_URL: 'http://x' }), { name: 'RedisConfigError', variable: 'REDIS_URL' }, 'bad scheme')
})

t.test('a real connection to the shared Redis', async (t) => {
  const { lines, logger } = memoryLogger()
  const redis = connect(t, { REDIS_URL: LOCAL_REDIS_URL }, logger) as Redis
  t.ok(await whenReady(redis, 5000), 'ready')
  t.equal(redisState(redis), 'ready')
  const prefix = uniquePrefix()
  t.teardown(async () => { await deleteKeys(redis, prefix) })
  await redis.set(`${prefix}k`, 'v')
  t.equal(await redis.get(`${prefix}k`), 'v')
  t.match(lines, [{ level: 'info', msg: 'redis connected', obj: { redis: { mode: 'single' } } }])
})

t.test('commands fail fast where nothing listens; the client keeps retrying', async (t) => {
  const port = await freePort()
  const { lines, logger } = memoryLogger()
  const redis = connect(t, { REDIS_URL: `redis://127.0.0.1:${port}` }, logger)
  t.equal(await settlesWithin(redis.get('x'), 1000), 'rejected', 'rejects, does not wait for a connection')
  await waitFor('the client to be reconnecting', () => redisState(redis) === 'reconnecting', { timeoutMs: 5000 })
  t.equal(redisState(redis), 'reconnecting', 'still trying')
  t.equal(await settlesWithin(redis.set('x', '1'), 1000), 'rejected')
  t.equal(lines.filter((l) => l.level === 'warn').length, 1, 'one warning per outage, not one per attempt')
  t.equal(await whenReady(redis, 50), false)
})

t.test('Redis killed mid-run: commands reject fast, the client reconnects, nothing logs the password', async (t) => {
  const password = 'sw0rdfish-not-logged'
  const server = await startRedisServer({ args: ['--requirepass', password] })
  t.teardown(server.stop)
  const { lines, logger } = memoryLogger()
  const redis = connect(t, { REDIS_URL: `redis://:${password}@127.0.0.1:${server.port}/2` }, logger) as Redis
  t.ok(await whenReady(redis, 5000))
  await redis.set('k', 'before')
  await server.kill()
  t.equal(await settlesWithin(redis.get('k'), 1000), 'rejected', 'rejects while Redis is down')
  await waitFor('not ready while down', () => redisState(redis) !== 'ready', { timeoutMs: 5000 })
  await server.restart()
  t.ok(await whenReady(redis, 10_000), 'reconnects on its own')
  t.equal(await redis.get('k'), null, 'a fresh server (no persistence)')
  await redis.set('k', 'after')
  t.equal(await redis.get('k'), 'after', 'db 2 with the password from the URL')
  t.match(lines.map((l) => l.msg), ['redis connected', 'redis connection lost; serving from memory and reconnecting', 'redis reconnected'])
  t.notMatch(JSON.stringify(lines), new RegExp(password), 'password never logged')
  t.match(JSON.stringify(lines), /redis:\/\/:\*\*\*@127\.0\.0\.1/)
})

t.test('Sentinel: finds the master through a real sentinel', async (t) => {
  const master = await startRedisServer()
  t.teardown(master.stop)
  const sentinel = await startRedisServer({ config: `sentinel monitor pretrade-test 127.0.0.1 ${master.port} 1\n`, args: ['--sentinel'] })
  t.teardown(sentinel.stop)
  const redis = connect(t, { REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`, REDIS_SENTINEL_NAME: 'pretrade-test' }) as Redis
  t.ok(await whenReady(redis, 10_000))
  await redis.set('via-sentinel', '1')
  const direct = connect(t, { REDIS_URL: master.url }) as Redis
  t.ok(await whenReady(direct, 5000))
  t.equal(await direct.get('via-sentinel'), '1', 'written to the master the sentinel named')
  t.equal(redis.options.maxRetriesPerRequest, 1)
  t.equal(redis.options.enableOfflineQueue, false)
})

t.test('Cluster: a one-node cluster with every slot', async (t) => {
  const node = await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-announce-ip', '127.0.0.1'] })
  // a lone node does not know its own address until told (CLUSTER SLOTS would name host "")
  t.teardown(node.stop)
  const admin = connect(t, { REDIS_URL: node.url }) as Redis
  t.ok(await whenReady(admin, 5000))
  await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383')
  await waitFor('cluster state ok', async () => /cluster_state:ok/.test(await admin.cluster('INFO')), { timeoutMs: 10_000 })
  const cluster = connect(t, { REDIS_CLUSTER_NODES: `127.0.0.1:${node.port}` }) as Cluster
  t.ok(await whenReady(cluster, 10_000))
  t.equal(redisState(cluster), 'ready')
  await cluster.set('{registry}:a', '1')
  t.equal(await cluster.get('{registry}:a'), '1')
  t.equal(cluster.options.enableOfflineQueue, false)
  await node.kill()
  t.equal(await settlesWithin(cluster.get('{registry}:a'), 1000), 'rejected', 'rejects while the cluster is down')
})

t.test('a hung Redis (SIGSTOP): commands reject after commandTimeoutMs instead of waiting forever', async (t) => {
  const server = await startRedisServer()
  t.teardown(server.stop)
  const redis = createRedis({ REDIS_URL: server.url }, undefined, { commandTimeoutMs: 200 }) as Redis
  t.teardown(() => redis.disconnect())
  t.ok(await whenReady(redis, 5000))
  server.pause()
  t.equal(await settlesWithin(redis.get('k'), 2000), 'rejected')
  server.resume()
  t.equal(await redis.ping(), 'PONG', 'answers again once resumed')
})
