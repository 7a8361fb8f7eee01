import t from 'tap'
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { once } from 'node:events'

async function freePort (): Promise<number> {
  const srv = createServer()
  srv.listen(0, '127.0.0.1')
  await once(srv, 'listening')
  const port = (srv.address() as { port: number }).port
  srv.close()
  await once(srv, 'close')
  return port
}

async function waitForHealth (url: string, deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    try {
      const res = await fetch(`${url}/health`)
      if (res.ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('server did not become healthy')
}

// The built service as `npm start` runs it (node dist/src/server.js): offline, on the embedded defaults.
t.test('the built server serves estimates offline and exits 0 on SIGTERM', async (t) => {
  const port = await freePort()
  const child = spawn(process.execPath, ['dist/src/server.js'], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (d) => { output += String(d) })
  child.stderr.on('data', (d) => { output += String(d) })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const url = `http://127.0.0.1:${port}`
  await waitForHealth(url, Date.now() + 20_000)
  const res = await fetch(`${url}/v1/estimate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ symbol: 'BTCUSDT', side: 'buy', qtyBase: 1 })
  })
  t.equal(res.status, 200)
  const body = await res.json() as { totalCostBps: number }
  t.ok(body.totalCostBps > 0)
  child.kill('SIGTERM')
  const [code] = await once(child, 'exit')
  t.equal(code, 0, output)
  t.match(output, /pretrade ready/)
  t.notMatch(output, /"url":"\/v1\/estimate"/, 'no per-request log line on the hot path')
})

t.test('a bad configuration stops start-up with a message naming the variable', async (t) => {
  const child = spawn(process.execPath, ['dist/src/server.js'], { env: { ...process.env, PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr.on('data', (d) => { err += String(d) })
  const [code] = await once(child, 'exit')
  t.equal(code, 1)
  t.match(err, /PORT/)
})
