import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFakeBybit, type Fault, type FaultRule } from '../fake-bybit/server.js'
import { waitFor } from '../support/wait.js'
import { describeLoad, underLoad } from '../support/load.js'
import { startServerProcess, type ServerProcess } from '../support/server-process.js'
import { syntheticTape, syntheticTapeJobEnv } from '../support/synthetic-tape.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'

// The fake Bybit answering errors, timeouts and garbage while the recalibration job runs and
// /v1/estimate is under load. live.test.ts covers each fault without load, in process; this runs
// the built server process and counts every request.

const KEY = 'faults-admin-key-0123456789'
const LOAD_LOOPS = 12
const TAPE_MINUTES = 1900

interface Outcome { symbol: string, outcome: string, reason: string }
interface ModelsBody { symbols: Array<{ symbol: string, models: Array<{ name: string, version: string }> }>, marketData: { tape?: { lastMessageMs?: number, tradesBySymbol?: Record<string, number> } } }

async function recalibrate (server: ServerProcess): Promise<Outcome> {
  const res = await fetch(`${server.url}/v1/admin/recalibrate?symbol=BTCUSDT`, { method: 'POST', headers: { 'x-api-key': KEY } })
  if (res.status !== 200) throw new Error(`recalibrate answered ${res.status}: ${await res.text()}`)
  return ((await res.json()) as { outcomes: Outcome[] }).outcomes[0]
}

async function modelsBody (server: ServerProcess): Promise<ModelsBody> {
  return await (await fetch(`${server.url}/v1/models`)).json() as ModelsBody
}

/** "sqrt v1, linear v2, mlp v3" of BTCUSDT as GET /v1/models lists them. */
async function btcVersions (server: ServerProcess): Promise<string> {
  const btc = (await modelsBody(server)).symbols.find((s) => s.symbol === 'BTCUSDT')
  return (btc?.models ?? []).map((m) => `${m.name} ${m.version}`).join(', ')
}

// a request's first rule decides its answer (README of the fake); tickers are fetched first by the job's refresh
const faults: Array<[string, FaultRule]> = [
  ['HTTP 502 on tickers', { path: '/v5/market/tickers', fault: { kind: 'http-status', status: 502 } }],
  ['HTTP 503 on klines', { path: '/v5/market/kline', fault: { kind: 'http-status', status: 503 } }],
  ['rate limit (10006) on tickers', { path: '/v5/market/tickers', fault: { kind: 'rate-limit', resetInMs: 50 } }],
  ['HTTP 429 everywhere', { fault: { kind: 'http-status', status: 429 } }],
  ['slower than the timeout', { path: '/v5/market/tickers', fault: { kind: 'slow', delayMs: 1000 } }],
  ['connection reset on klines', { path: '/v5/market/kline', fault: { kind: 'reset' } }],
  ['malformed JSON on tickers', { path: '/v5/market/tickers', fault: { kind: 'malformed-json' } }],
  ['malformed JSON on klines', { path: '/v5/market/kline', fault: { kind: 'malformed-json' } }],
  ['a bid that is not a number', { path: '/v5/market/tickers', fault: { kind: 'bad-number', field: 'bid1Price' } satisfies Fault }],
  ['a kline close that is not a number', { path: '/v5/market/kline', fault: { kind: 'bad-number', field: 'close' } }],
  ['venue error', { path: '/v5/market/tickers', fault: { kind: 'venue-error', retCode: 10016, retMsg: 'Internal server error' } }]
]

t.test('Bybit errors, timeouts and garbage during recalibration under load: serving unaffected, published models unchanged', async (t) => {
  const fake = await startFakeBybit()
  t.teardown(() => fake.close())
  const dir = mkdtempSync(join(tmpdir(), 'pretrade-faults-bybit-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const server = await startServerProcess(t, {
    ...syntheticTapeJobEnv(fake),
    BYBIT_TIMEOUT_MS: '300',
    BYBIT_MAX_RETRIES: '1',
    SYMBOLS: 'BTCUSDT',
    TCA_STORE_PATH: join(dir, 'tca.jsonl'),
    ADMIN_API_KEY: KEY,
    ADMIN_RATE_LIMIT_MAX: '1000'
  })
  // the first message the tape gets is the fake's subscribe reply: from then on pushed trades reach it
  await waitFor('the trade tape is subscribed', async () => (await modelsBody(server)).marketData.tape?.lastMessageMs !== undefined, { timeoutMs: 10_000, everyMs: 50 })
  const tape = syntheticTape(fake.nowMs(), TAPE_MINUTES, 11)
  fake.pushTrades('BTCUSDT', tape)
  await waitFor('the server holds the pushed tape', async () => ((await modelsBody(server)).marketData.tape?.tradesBySymbol?.BTCUSDT ?? 0) >= tape.length, { timeoutMs: 10_000, everyMs: 100 })

  const embeddedSqrt = loadEmbeddedModels('embedded/models.json').sqrt.record.version
  let published = ''
  const { report } = await underLoad({
    url: `${server.url}/v1/estimate`,
    concurrency: LOAD_LOOPS,
    body: () => ({ symbol: 'BTCUSDT', side: 'buy', qtyBase: 1, model: 'sqrt' }),
    pick: (body) => (body as { model: { version: string } }).model.version
  }, async (load) => {
    await load.moreRequests(100)
    // without faults the job publishes: so a failed run below is the fault's doing, and "unchanged" means something
    const first = await recalibrate(server)
    t.equal(first.outcome, 'published', `a clean run under load publishes (${first.reason})`)
    published = (await modelsBody(server)).symbols.find((s) => s.symbol === 'BTCUSDT')?.models.find((m) => m.name === 'sqrt')?.version ?? ''
    const versions = await btcVersions(server)
    for (const [name, rule] of faults) {
      fake.clearFaults()
      fake.addFault(rule)
      const before = load.report().requests
      const outcome = await recalibrate(server)
      t.equal(outcome.outcome, 'failed', `${name}: the run fails (${outcome.reason})`)
      t.equal(await btcVersions(server), versions, `${name}: published models unchanged`)
      t.ok(load.report().requests > before, `${name}: requests were served during the run`)
    }
    fake.clearFaults()
    const last = await recalibrate(server)
    t.equal(last.outcome, 'kept', `after the faults, a clean run on the same data keeps the model it produced (${last.reason})`)
    t.equal(await btcVersions(server), versions, 'published models unchanged at the end')
    await load.moreRequests(100)
  })

  t.equal(report.failed, 0, `no failed estimate: ${describeLoad(report)}`)
  const served = new Set(report.outcomes.map((o) => o.picked as string))
  for (const version of served) t.ok(version === embeddedSqrt || version === published, `served ${version}: the embedded model or the one the clean run published`)
  t.ok(served.has(published), `the published version ${published} was served under load`)
})
