import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { deleteKeys, LOCAL_REDIS_URL, uniquePrefix } from '../support/redis-test.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'

async function runCli (args: string[], env: Record<string, string>) {
  // the built CLI, as `npm run models` runs it (npm test builds first)
  const child = spawn(process.execPath, ['dist/scripts/models.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => { stdout += String(d) })
  child.stderr.on('data', (d) => { stderr += String(d) })
  const [code] = await once(child, 'exit')
  return { code: code as number, stdout, stderr }
}

t.test('npm run models: publish, versions and rollback against the registry', async (t) => {
  const prefix = uniquePrefix()
  const redis = new Redis(LOCAL_REDIS_URL)
  t.teardown(async () => { await deleteKeys(redis, prefix); redis.disconnect() })
  const dir = mkdtempSync(join(tmpdir(), 'pretrade-models-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { REDIS_URL: LOCAL_REDIS_URL, REDIS_PREFIX: prefix }
  const base = loadEmbeddedModels('embedded/models.json').sqrt.record
  const file = join(dir, 'r.json')
  for (const version of ['cli-1', 'cli-2']) {
    writeFileSync(file, JSON.stringify({ ...base, version }))
    const out = await runCli(['publish', '--symbol', 'BTCUSDT', '--file', file], env)
    t.equal(out.code, 0, out.stderr)
    t.equal(JSON.parse(out.stdout).version, version)
  }
  t.equal(await redis.hget(`${prefix}{registry}:active:BTCUSDT`, 'sqrt'), 'cli-2')
  const versions = await runCli(['versions', '--symbol', 'BTCUSDT', '--name', 'sqrt'], env)
  t.same(JSON.parse(versions.stdout).map((v: { version: string }) => v.version).sort(), ['cli-1', 'cli-2'])
  const back = await runCli(['rollback', '--symbol', 'BTCUSDT', '--name', 'sqrt', '--version', 'cli-1'], env)
  t.equal(back.code, 0, back.stderr)
  t.equal(await redis.hget(`${prefix}{registry}:active:BTCUSDT`, 'sqrt'), 'cli-1')
  const missing = await runCli(['rollback', '--symbol', 'BTCUSDT', '--name', 'sqrt', '--version', 'nope'], env)
  t.equal(missing.code, 1)
  t.match(missing.stderr, /REGISTRY_ERR_NOT_FOUND/)
  writeFileSync(file, JSON.stringify({ ...base, version: 'cli-bad', params: { impactCoef: -1, impactExponent: 0.5, smearingFactor: 1 } }))
  const invalid = await runCli(['publish', '--symbol', 'BTCUSDT', '--file', file], env)
  t.equal(invalid.code, 1)
  t.match(invalid.stderr, /REGISTRY_ERR_INVALID_RECORD/)
  t.equal(await redis.hget(`${prefix}{registry}:active:BTCUSDT`, 'sqrt'), 'cli-1', 'an invalid record changes nothing')
  t.equal((await runCli([], env)).code, 2, 'usage')
})
