import t from 'tap'
import { execFile } from 'node:child_process'
import { request } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { promisify } from 'node:util'
import { loadConfig } from '../../src/config.js'
import { composeBlock, composeScalars, durationMs } from '../support/compose-file.js'
import { baseImages, envOf, execForm, finalStage } from '../support/dockerfile.js'
import { freePort } from '../support/redis-server.js'
import { startServerProcess } from '../support/server-process.js'
import { startCommand } from '../support/start-command.js'
import { waitFor } from '../support/wait.js'

// The Dockerfile read at the text level (no Docker engine on the test machines), and its CMD run
// as the container runs it: from the repo root (the image's WORKDIR /app holds the same dist/ and
// embedded/), with the image's ENV. Build first (`npm run build`).

/** Node 26 "Lithium" is the Active LTS line since 2026-10-28 (nodejs/Release schedule). */
const NODE_LTS_MAJOR = 26

const stage = finalStage()
const cmd = stage.filter((i) => i.keyword === 'CMD').at(-1)
const workdir = stage.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args ?? '/'

t.test('every stage builds on the current Node LTS image, the same in both', async (t) => {
  const images = baseImages()
  t.equal(images.length, 2, 'a build stage and a runtime stage')
  t.same(new Set(images).size, 1, `one image for both stages: ${images.join(', ')}`)
  t.match(images[0], new RegExp(`^node:${NODE_LTS_MAJOR}-`), `node:${NODE_LTS_MAJOR}-*`)
})

// issue 14 item 7: CMD ["npm", "start"] made npm PID 1; docker stop's SIGTERM never reached node.
t.test('the image runs node itself, exec form, with npm start\'s flags and script', async (t) => {
  t.ok(cmd !== undefined, 'the runtime stage has a CMD')
  if (cmd === undefined) return
  const { nodeFlags, script } = startCommand()
  t.same(execForm(cmd), ['node', ...nodeFlags, script])
  t.notOk(stage.some((i) => i.keyword === 'ENTRYPOINT'), 'no ENTRYPOINT of ours: the base image\'s docker-entrypoint.sh execs the CMD, so node is PID 1')
})

// issue 14 item 7: USER node could not create var/ under root-owned /app: POST /v1/tca answered 503 EACCES.
t.test('the directory of the default TCA_STORE_PATH is created and given to the node user before USER node', async (t) => {
  const storeDir = posix.dirname(posix.resolve(workdir, loadConfig({}).TCA_STORE_PATH))
  t.equal(storeDir, '/app/var')
  const keywords = stage.map((i) => i.keyword)
  const user = keywords.lastIndexOf('USER')
  t.equal(stage[user]?.args, 'node', 'runs as node')
  const made = stage.findIndex((i) => i.keyword === 'RUN' && i.args.includes(`mkdir -p ${storeDir}`) && i.args.includes(`chown node:node ${storeDir}`))
  t.ok(made >= 0 && made < user, `RUN mkdir -p ${storeDir} && chown node:node ${storeDir} comes before USER node`)
})

/** A POST whose headers the server has read (it answered 100 Continue) and whose body is not sent yet. */
async function startSlowPost (url: string, body: string): Promise<{ finish: () => Promise<{ status: number, body: string }> }> {
  const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' } })
  const response = new Promise<{ status: number, body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { text += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', reject)
  })
  req.flushHeaders()
  await new Promise<void>((resolve, reject) => { req.once('continue', resolve); req.once('error', reject) })
  return { finish: async () => { req.end(body); return await response } }
}

t.test('the image\'s command line finishes an in-flight request and exits 0 on SIGTERM within the stop grace period', async (t) => {
  t.ok(cmd !== undefined)
  if (cmd === undefined) return
  const dir = mkdtempSync(join(tmpdir(), 'pretrade-image-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const [program, ...args] = execForm(cmd)
  t.equal(program, 'node')
  const server = await startServerProcess(t, { ...envOf(stage), TCA_STORE_PATH: join(dir, 'var', 'tca-records.jsonl'), LOG_LEVEL: 'info' }, 20_000, args)
  t.match(server.output(), /pretrade ready/)

  const inFlight = await startSlowPost(`${server.url}/v1/estimate`, JSON.stringify({ symbol: 'BTCUSDT', side: 'buy', qtyBase: 1 }))
  const signalledMs = Date.now()
  server.child.kill('SIGTERM')
  // the listener is closed once a new connection is refused: the shutdown is under way
  await waitFor('the server to stop accepting connections', async () => {
    try { await fetch(`${server.url}/health`); return false } catch { return true }
  }, { timeoutMs: 10_000, everyMs: 50 })
  const answer = await inFlight.finish()
  t.equal(answer.status, 200, `the request in flight at SIGTERM is answered: ${answer.body}`)
  t.ok((JSON.parse(answer.body) as { totalCostBps: number }).totalCostBps > 0)

  const exit = await server.exited
  const tookMs = Date.now() - signalledMs
  t.same(exit, { code: 0, signal: null }, server.output().slice(-4000))
  const graceMs = durationMs(composeScalars(composeBlock(['services', 'api'])).stop_grace_period ?? '10s')
  t.ok(tookMs < graceMs, `exited ${tookMs} ms after SIGTERM, within docker's stop grace of ${graceMs} ms`)
  t.match(server.output(), /"signal":"SIGTERM".*shutting down/)
})

const run = promisify(execFile)

/** The exit code of a health-check command line run with `env`. */
async function exitCode (file: string, args: string[], env: Record<string, string>): Promise<number> {
  try {
    await run(file, args, { env: { ...process.env, ...env }, timeout: 10_000 })
    return 0
  } catch (err) {
    return (err as { code?: number }).code ?? -1
  }
}

t.test('the image\'s HEALTHCHECK passes on a ready server and fails on a dead port', async (t) => {
  const healthcheck = stage.find((i) => i.keyword === 'HEALTHCHECK')
  t.ok(healthcheck !== undefined, 'the image has a HEALTHCHECK')
  // shell form after the options: /bin/sh -c '<command>', as Docker runs it
  const shellCommand = /\bCMD\s+(.*)$/.exec(healthcheck?.args ?? '')?.[1] ?? ''
  t.match(shellCommand, /^node -e /, 'node\'s fetch: the slim image has no curl')
  const server = await startServerProcess(t, {})
  const port = new URL(server.url).port
  t.equal(await exitCode('/bin/sh', ['-c', shellCommand], { PORT: port }), 0, 'ready server')
  t.equal(await exitCode('/bin/sh', ['-c', shellCommand], { PORT: String(await freePort()) }), 1, 'nothing listening')
})
