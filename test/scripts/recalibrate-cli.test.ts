import t from 'tap'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRng } from '../../src/domain/learn/rng.js'
import { startFakeBybit } from '../fake-bybit/server.js'

async function runCli (args: string[], env: Record<string, string>): Promise<{ code: number | null, stdout: string, stderr: string }> {
  // the built CLI, as `npm run recalibrate` runs it (npm test builds first)
  const child = spawn(process.execPath, ['dist/scripts/recalibrate.js', ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => { stdout += String(d) })
  child.stderr.on('data', (d) => { stderr += String(d) })
  const [code] = await once(child, 'exit')
  return { code, stdout, stderr }
}

/** 400 parent orders over 10 days obeying the square-root law (eta 0.7) with noise: TCA records as clients post them. */
function tcaRecords (): string {
  const rng = createRng(3)
  const lines = []
  const t0 = Date.UTC(2026, 9, 1)
  for (let i = 0; i < 400; i++) {
    const participation = Math.exp(-7 + rng.normal())
    const side = rng.next() < 0.5 ? 'buy' : 'sell'
    const sign = side === 'buy' ? 1 : -1
    const arrival = 60_000
    const exec = arrival * (1 + sign * 0.7 * 0.03 * Math.sqrt(participation) + 1e-4 * rng.normal())
    const at = t0 + Math.floor(i * 10 * 86_400_000 / 400)
    lines.push(JSON.stringify({ receivedAtMs: at, executedAtMs: at, symbol: 'BTCUSDT', side, qtyBase: participation * 50_000, execPriceQuote: exec, arrivalPriceQuote: arrival, advBase: 50_000, volDaily: 0.03, relSpread: 1e-5 }))
  }
  return lines.join('\n') + '\n'
}

t.test('npm run recalibrate -- --symbol BTCUSDT: one run against BYBIT_REST_URL', async (t) => {
  const fake = await startFakeBybit()
  t.teardown(() => fake.close())
  const dir = mkdtempSync(join(tmpdir(), 'pretrade-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { BYBIT_REST_URL: fake.restUrl, BYBIT_WS_URL: fake.wsUrl, ADV_WINDOW_MINUTES: '1440', TCA_STORE_PATH: join(dir, 'tca.jsonl') }

  const few = await runCli(['--symbol', 'BTCUSDT'], env)
  t.equal(few.code, 1, 'a failed run exits 1')
  const fewOut = JSON.parse(few.stdout)
  t.equal(fewOut.outcomes[0].outcome, 'failed')
  t.match(fewOut.outcomes[0].reason, /too few samples/, 'the recent-trade tape alone is too short')
  t.ok(fake.requests.some((r) => r.path === '/v5/market/recent-trade'), 'trades came from the fake')

  writeFileSync(env.TCA_STORE_PATH, tcaRecords())
  const out = join(dir, 'records.json')
  const ok = await runCli(['--symbol', 'BTCUSDT', '--out', out], env)
  t.equal(ok.code, 0, ok.stderr)
  const outcome = JSON.parse(ok.stdout).outcomes[0]
  t.equal(outcome.outcome, 'published', outcome.reason)
  t.equal(outcome.samples.source, 'tca', 'TCA records are used once there are enough')
  const records = JSON.parse(readFileSync(out, 'utf8')).BTCUSDT
  const sqrt = records.find((r: { name: string }) => r.name === 'sqrt')
  t.ok(Math.abs(sqrt.params.impactCoef - 0.7) < 0.1, `eta ${sqrt.params.impactCoef} recovers the 0.7 of the synthetic orders`)

  const usage = await runCli([], env)
  t.equal(usage.code, 2)
  t.match(usage.stderr, /usage: npm run recalibrate/)
})

// issue 14: with every Bybit request failing the CLI exited 0 with no output and no --out file
// (the client's retry waits are unref'd timers and nothing else held the event loop)
t.test('npm run recalibrate against a venue that fails every request: the JSON outcome, exit 1, the --out file', async (t) => {
  const fake = await startFakeBybit()
  t.teardown(() => fake.close())
  const dir = mkdtempSync(join(tmpdir(), 'pretrade-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { BYBIT_REST_URL: fake.restUrl, BYBIT_WS_URL: fake.wsUrl, ADV_WINDOW_MINUTES: '1440', TCA_STORE_PATH: join(dir, 'tca.jsonl'), BYBIT_MAX_RETRIES: '2' }

  for (const [name, fault, reason] of [
    ['HTTP 503', { kind: 'http-status', status: 503 }, /no market data: Bybit \/v5\/market\/kline HTTP 503/],
    ['connection reset', { kind: 'reset' }, /no market data: /]
  ] as const) {
    fake.clearFaults()
    fake.addFault({ fault })
    const before = fake.requests.length
    const out = join(dir, `records-${fault.kind}.json`)
    const run = await runCli(['--symbol', 'BTCUSDT', '--symbol', 'ETHUSDT', '--out', out], env)
    t.equal(run.code, 1, `${name}: a failed run exits 1 (${run.stderr.slice(-300)})`)
    const printed = JSON.parse(run.stdout)
    t.equal(printed.bybitRestUrl, fake.restUrl)
    t.same(printed.outcomes.map((o: { symbol: string, outcome: string }) => [o.symbol, o.outcome]), [['BTCUSDT', 'failed'], ['ETHUSDT', 'failed']], `${name}: one failed outcome per symbol`)
    for (const o of printed.outcomes) t.match(o.reason, reason, `${name}: the reason names the venue's failure`)
    t.same(JSON.parse(readFileSync(out, 'utf8')), { BTCUSDT: [], ETHUSDT: [] }, `${name}: --out is written, with no record for a symbol that failed`)
    t.ok(fake.requests.length - before >= 3, `${name}: the requests (and their retries) reached the fake`)
  }
})
