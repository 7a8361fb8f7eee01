import t from 'tap'
import { execFileSync, spawn } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from '../helper.js'
import { directive, matchLocation, nginxLocations } from '../support/nginx-conf.js'
import { freePort } from '../support/redis-server.js'
import { waitFor } from '../support/wait.js'

// issue 14 item 7: deploy/nginx.conf promised to "retry an idempotent request", but every API call
// is a POST, which nginx does not pass on once sent unless `non_idempotent` says so. The decision:
// pure computations are retried; POST /v1/tca (stores records) and the admin POSTs are not.

/** POST routes that store nothing and answer the same on any replica. */
const PURE_POSTS = ['/v1/estimate', '/v1/estimate/batch', '/v1/schedule', '/v1/schedule/frontier', '/v1/pretrade/check']

t.test('nginx retries after sending exactly the pure POST routes; POST /v1/tca and the admin POSTs only if never sent', async (t) => {
  const app = await build(t)
  const paths = (await app.inject('/docs/json')).json().paths as Record<string, Record<string, unknown>>
  const posts = Object.keys(paths).filter((p) => paths[p].post !== undefined).map((p) => p.replace(/\{\w+\}/g, 'BTCUSDT'))
  t.ok(posts.includes('/v1/tca') && posts.includes('/v1/admin/recalibrate'), `the API's POST routes: ${posts.join(', ')}`)
  for (const pure of PURE_POSTS) t.ok(posts.includes(pure), `${pure} is still a route`)
  const locations = nginxLocations()
  for (const path of posts) {
    const location = matchLocation(locations, path)
    const conditions = location === undefined ? undefined : directive(location, 'proxy_next_upstream')
    t.ok(conditions?.includes('error') && conditions.includes('http_503'), `${path}: proxy_next_upstream covers connection errors and 503s`)
    t.equal(conditions?.includes('non_idempotent'), PURE_POSTS.includes(path), `${path}: ${PURE_POSTS.includes(path) ? 'retried after it was sent' : 'never retried once sent (it may have been stored or done)'}`)
  }
})

function hasNginx (): boolean {
  try { execFileSync('nginx', ['-v'], { stdio: 'ignore' }); return true } catch { return false }
}

/** A fake replica: answers 200 `{"port":...}`, or fails the way `fail` says; logs the URLs it saw. */
async function replica (t: Parameters<typeof build>[0], fail?: '503' | 'reset'): Promise<{ port: number, seen: string[] }> {
  const seen: string[] = []
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      seen.push(req.url ?? '')
      if (fail === 'reset') { req.socket.destroy(); return }
      res.writeHead(fail === '503' ? 503 : 200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  return { port, seen }
}

// The shipped config with its upstream pointed at two local fake replicas, one failing. Runs where
// nginx is installed (`apt-get install nginx-light`); the text-level test above runs everywhere.
for (const fail of ['503', 'reset'] as const) {
  t.test(`through the real nginx, one replica failing with ${fail === '503' ? 'a 503' : 'a connection reset'}: computations succeed, a TCA post that reached it is not replayed`, { skip: hasNginx() ? false : 'nginx is not installed' }, async (t) => {
    const bad = await replica(t, fail)
    const good = await replica(t)
    const dir = mkdtempSync(join(tmpdir(), 'pretrade-nginx-'))
    t.teardown(() => rmSync(dir, { recursive: true, force: true }))
    const port = await freePort()
    const conf = readFileSync('deploy/nginx.conf', 'utf8')
      .replace('events {}', `daemon off; master_process off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;\nevents {}`)
      // max_fails=0: no replica is left out, so requests keep alternating between the two
      .replace(/server api:3000 [^;]*;/, `server 127.0.0.1:${bad.port} max_fails=0; server 127.0.0.1:${good.port} max_fails=0;`)
      .replace('listen 8080;', `listen 127.0.0.1:${port};`)
    writeFileSync(join(dir, 'nginx.conf'), conf)
    const nginx = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' })
    t.teardown(() => { nginx.kill('SIGTERM') })
    await waitFor('nginx to listen', async () => { try { await fetch(`http://127.0.0.1:${port}/`); return true } catch { return false } }, { timeoutMs: 5000, everyMs: 50 })

    const status = async (path: string): Promise<number> => (await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status
    for (let i = 0; i < 4; i++) t.equal(await status(`/v1/estimate?n=${i}`), 200, `estimate ${i}`)
    t.ok(bad.seen.some((url) => url.startsWith('/v1/estimate')), 'the failing replica got estimates, and nginx retried them on the other one')
    const tca = []
    for (let i = 0; i < 4; i++) tca.push(await status(`/v1/tca?n=${i}`))
    const reachedBad = bad.seen.filter((url) => url.startsWith('/v1/tca'))
    t.ok(reachedBad.length >= 1, `the failing replica got TCA posts: ${reachedBad.join(', ')}`)
    for (const url of reachedBad) t.notOk(good.seen.includes(url), `${url} was not replayed on the other replica`)
    t.equal(tca.filter((s) => s !== 200).length, reachedBad.length, `each of them answered ${fail === '503' ? '503' : '502'} to the client: ${tca.join(', ')}`)
  })
}
