import t from 'tap'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { loadConfig } from '../../src/config.js'
import { composeBlock, composeScalars, durationMs, interpolate } from '../support/compose-file.js'
import { freePort } from '../support/redis-server.js'
import { startServerProcess } from '../support/server-process.js'

// docker-compose.yml read at the text level (no Docker engine and no YAML parser here).

const api = composeBlock(['services', 'api'])
const apiEnvironment = (env: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries(composeScalars(composeBlock(['services', 'api', 'environment']))).map(([k, v]) => [k, interpolate(v, env)]))

// issue 14 item 6: `ADMIN_API_KEY: "${ADMIN_API_KEY:-}"` gave every replica an empty key, which
// failed the 16-character rule: the replicas restarted forever.
t.test('the api replicas\' environment is a valid configuration with ADMIN_API_KEY unset (admin disabled) or set', async (t) => {
  const unset = apiEnvironment({})
  t.equal(unset.ADMIN_API_KEY, '', 'compose passes an empty key')
  t.equal(loadConfig(unset).ADMIN_API_KEY, undefined, 'start-up succeeds with admin disabled')
  const key = 'compose-admin-key-0123'
  t.equal(loadConfig(apiEnvironment({ ADMIN_API_KEY: key })).ADMIN_API_KEY, key)
  t.match(loadConfig(unset).REDIS_URL, /^redis:\/\/redis:/, 'TCA records go to the Redis stream, not to the image\'s file store')
})

const run = promisify(execFile)

async function exitCode (argv: string[], env: Record<string, string>): Promise<number> {
  const [file, ...args] = argv
  try {
    await run(file === 'node' ? process.execPath : file, args, { env: { ...process.env, ...env }, timeout: 10_000 })
    return 0
  } catch (err) {
    return (err as { code?: number }).code ?? -1
  }
}

t.test('the api healthcheck passes on a ready replica and fails on a dead port', async (t) => {
  const healthcheck = composeScalars(composeBlock(['services', 'api', 'healthcheck']))
  // a flow sequence of double-quoted strings is JSON
  const [form, ...argv] = JSON.parse(healthcheck.test) as string[]
  t.equal(form, 'CMD', 'exec form: no shell needed')
  t.equal(argv[0], 'node', 'node\'s fetch: the slim image has no curl')
  const server = await startServerProcess(t, {})
  t.equal(await exitCode(argv, { PORT: new URL(server.url).port }), 0, 'ready replica')
  t.equal(await exitCode(argv, { PORT: String(await freePort()) }), 1, 'nothing listening')
  t.ok(durationMs(healthcheck.start_period) >= 10_000, 'start_period covers loading the models')
})

t.test('nginx starts once an api replica is healthy', async (t) => {
  t.same(composeScalars(composeBlock(['services', 'lb', 'depends_on', 'api'])), { condition: 'service_healthy' })
})

t.test('docker stop waits longer than the service\'s own shutdown deadline', async (t) => {
  const delayMs = Number(/closeWithGrace\(\{ delay: ([\d_]+) \}/.exec(readFileSync('src/server.ts', 'utf8'))?.[1].replace(/_/g, ''))
  t.ok(delayMs > 0, `close-with-grace delay in src/server.ts: ${delayMs} ms`)
  const graceMs = durationMs(composeScalars(api).stop_grace_period ?? '10s')
  t.ok(graceMs > delayMs, `stop_grace_period ${graceMs} ms > ${delayMs} ms: the service's deadline comes first, not SIGKILL`)
})
