import t from 'tap'
import { spawnServer, startServerProcess } from './support/server-process.js'

// The built service as `npm start` runs it (node dist/src/server.js): offline, on the embedded defaults.
t.test('the built server serves estimates offline and exits 0 on SIGTERM', async (t) => {
  const server = await startServerProcess(t, { LOG_LEVEL: 'info' })
  const res = await fetch(`${server.url}/v1/estimate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ symbol: 'BTCUSDT', side: 'buy', qtyBase: 1 })
  })
  t.equal(res.status, 200)
  const body = await res.json() as { totalCostBps: number }
  t.ok(body.totalCostBps > 0)
  server.child.kill('SIGTERM')
  const { code } = await server.exited
  const output = server.output()
  t.equal(code, 0, output)
  t.match(output, /pretrade ready/)
  t.notMatch(output, /"url":"\/v1\/estimate"/, 'no per-request log line on the hot path')
})

t.test('a bad configuration stops start-up with a message naming the variable', async (t) => {
  const server = spawnServer(t, { PORT: 'eighty' })
  const { code } = await server.exited
  t.equal(code, 1)
  t.match(server.stderr(), /PORT/)
})
