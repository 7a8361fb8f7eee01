import t from 'tap'
import { pings, startRedisServer } from './redis-server.js'

t.test('start, ping, kill, restart on the same port, ping, stop', async (t) => {
  const server = await startRedisServer()
  t.teardown(server.stop)
  t.match(server.url, /^redis:\/\/127\.0\.0\.1:\d+$/)
  t.equal(server.url, `redis://127.0.0.1:${server.port}`)
  t.ok(await pings(server.port), 'answers PING once started')

  await server.kill()
  t.notOk(await pings(server.port), 'no answer after SIGKILL')
  await server.kill()
  t.pass('kill is idempotent')

  await server.restart()
  t.ok(await pings(server.port), 'answers PING on the same port after restart')

  await server.restart()
  t.ok(await pings(server.port), 'restart of a running server stops it first')

  await server.stop()
  t.notOk(await pings(server.port), 'no answer after stop')
  await server.stop()
  t.pass('stop is idempotent')
})

t.test('two servers get different ports', async (t) => {
  const [a, b] = await Promise.all([startRedisServer(), startRedisServer()])
  t.teardown(a.stop)
  t.teardown(b.stop)
  t.not(a.port, b.port)
  t.ok(await pings(a.port))
  t.ok(await pings(b.port))
})

t.test('extra arguments reach redis-server', async (t) => {
  const server = await startRedisServer({ args: ['--requirepass', 'test-secret-pw'] })
  t.teardown(server.stop)
  t.notOk(await pings(server.port), 'PING without AUTH is refused (-NOAUTH)')
})
