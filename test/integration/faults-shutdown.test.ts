import t, { type Test } from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { startFakeBybit } from '../fake-bybit/server.js'
import { startRedisServer } from '../support/redis-server.js'
import { waitFor } from '../support/wait.js'
import { describeLoad, underLoad, type LoadReport } from '../support/load.js'
import { startServerProcess, type ServerProcess } from '../support/server-process.js'
import { RedisTcaStore } from '../../src/store/redis-tca-store.js'
import { FileTcaStore, type TcaStore } from '../../src/store/tca-store.js'

// SIGTERM under load on POST /v1/tca: src/server.ts closes with grace (close-with-grace: the HTTP
// server stops accepting and finishes what it has, then the runtime stops the tape and Redis).
// A TCA response carries no record id, so each request is tagged by its executedAtMs:
// request i executes at BASE_EXECUTED_MS + i, in both symbols.

const BASE_EXECUTED_MS = 1_800_000_000_000
const SYMBOLS = ['BTCUSDT', 'ETHUSDT']
const LOAD_LOOPS = 12
const tcaBody = (i: number): unknown => ({
  trades: SYMBOLS.map((symbol) => ({ symbol, side: 'buy', qtyBase: 1, execPriceQuote: 101, arrivalPriceQuote: 100, advBase: 5000, volDaily: 0.02, spreadQuote: 0.01, executedAtMs: BASE_EXECUTED_MS + i }))
})

interface Shutdown { report: LoadReport, exit: { code: number | null, signal: NodeJS.Signals | null }, requestsAtSigterm: number }

/** Load on /v1/tca, SIGTERM once 300 requests went by, keep loading until the process exited and 50 more requests failed to connect. */
async function sigtermUnderLoad (server: ServerProcess, atExit: () => void = () => {}): Promise<Shutdown> {
  let requestsAtSigterm = 0
  const { value: exit, report } = await underLoad({ url: `${server.url}/v1/tca`, concurrency: LOAD_LOOPS, body: tcaBody }, async (load) => {
    await load.moreRequests(300)
    requestsAtSigterm = load.report().requests
    server.child.kill('SIGTERM')
    const exit = await server.exited
    atExit()
    await load.moreRequests(50)
    return exit
  })
  return { report, exit, requestsAtSigterm }
}

// Connection errors a shutdown may give: refused once the port is closed; reset or closed when the
// server closes a keep-alive connection whose next request it has not read yet (HTTP/1.1's
// keep-alive race). The stored-records check below proves such requests were never processed.
const SHUTDOWN_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET'])

/** Every request's fate checked against the store the service wrote (the same class reads it back). */
async function checkRecords (t: Test, store: TcaStore, shutdown: Shutdown, output: string): Promise<void> {
  const { report, exit, requestsAtSigterm } = shutdown
  t.same(exit, { code: 0, signal: null }, 'exits with code 0 after SIGTERM', { log: output.slice(-4000) })
  const beforeSignal = report.outcomes.slice(0, requestsAtSigterm)
  t.ok(beforeSignal.length >= 300 && beforeSignal.every((o) => o.status === 200), `all ${beforeSignal.length} requests before the signal accepted`)
  const finishedAfterSignal = report.outcomes.slice(requestsAtSigterm).filter((o) => o.status === 200).length
  t.ok(finishedAfterSignal >= 1, `${finishedAfterSignal} requests were answered 200 after the signal was sent (in flight, finished)`)
  const accepted = new Set(report.outcomes.filter((o) => o.status === 200).map((o) => BASE_EXECUTED_MS + o.index))
  for (const symbol of SYMBOLS) {
    const stored = new Set((await store.read(symbol)).map((r) => r.executedAtMs))
    const lost = [...accepted].filter((ms) => !stored.has(ms))
    t.same(lost, [], `${symbol}: every accepted record (${accepted.size}) is in the store`)
    // a stored record whose client saw no 200 was an in-flight request cut off by the shutdown
    const unanswered = [...stored].filter((ms) => !accepted.has(ms))
    t.same(unanswered, [], `${symbol}: every stored record (${stored.size}) was answered 200`)
  }
  const otherStatuses = Object.keys(report.statuses).filter((s) => s !== '200' && s !== '503')
  t.same(otherStatuses, [], `only 200 and 503 (closing) answers: ${describeLoad(report)}`)
  // a 503 because the store was already closed would mean Redis or the file went before the HTTP server finished
  t.equal(report.codes.PRETRADE_ERR_STORE_UNAVAILABLE ?? 0, 0, `no request refused for want of a store: codes ${JSON.stringify(report.codes)}`)
  t.equal(report.codes.PRETRADE_ERR_SHUTTING_DOWN ?? 0, report.statuses[503] ?? 0, 'every 503 is the documented PRETRADE_ERR_SHUTTING_DOWN body')
  const otherErrors = Object.keys(report.errors).filter((code) => !SHUTDOWN_ERRORS.has(code))
  t.same(otherErrors, [], `connection errors only from the closing server: ${JSON.stringify(report.errors)}`)
  const refused = report.errors.ECONNREFUSED ?? 0
  t.ok(refused >= 1, `requests after the exit were refused (${refused}); ${report.statuses[503] ?? 0} got 503 while closing`)
}

t.test('SIGTERM under load, file TCA store: exit 0, no accepted record lost, later requests refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pretrade-shutdown-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'tca.jsonl')
  const server = await startServerProcess(t, { MARKET_DATA_SOURCE: 'embedded', TCA_STORE_PATH: path, LOG_LEVEL: 'info' })
  const shutdown = await sigtermUnderLoad(server)
  await checkRecords(t, new FileTcaStore(path), shutdown, server.output())
})

t.test('SIGTERM under load, Redis TCA stream and live Bybit tape: exit 0, no record lost, WebSocket and Redis closed cleanly first', async (t) => {
  const fake = await startFakeBybit()
  t.teardown(() => fake.close())
  const redisServer = await startRedisServer()
  t.teardown(async () => await redisServer.stop())
  const prefix = 'shutdown:'
  // the test's own connections carry this name, so CLIENT LIST tells them from the service's
  const mine = 'faults-test'
  const redis = new Redis(redisServer.url, { connectionName: mine })
  t.teardown(() => redis.disconnect())
  const server = await startServerProcess(t, {
    MARKET_DATA_SOURCE: 'bybit',
    BYBIT_REST_URL: fake.restUrl,
    BYBIT_WS_URL: fake.wsUrl,
    SYMBOLS: SYMBOLS.join(','),
    ADV_WINDOW_MINUTES: '1440',
    MARKET_REFRESH_CRON: '0 0 1 1 *',
    RECALIBRATE_CRON: '0 0 1 1 *',
    REDIS_URL: redisServer.url,
    REDIS_PREFIX: prefix,
    LOG_LEVEL: 'info'
  })
  await waitFor('the trade tape is connected', () => fake.wsConnections() > 0, { timeoutMs: 10_000, everyMs: 50 })
  const theirs = (await redis.client('LIST') as string).split('\n').filter((line) => line.includes(' addr=') && !line.includes(` name=${mine} `)).map((line) => /addr=(\S+)/.exec(line)?.[1] as string)
  t.equal(theirs.length, 2, `the service holds two Redis connections, commands and change notices: ${theirs.join(', ')}`)
  const monitor = await redis.monitor()
  t.teardown(() => monitor.disconnect())
  const quits = new Set<string>()
  monitor.on('monitor', (_time: string, args: string[], source: string) => { if (args[0]?.toLowerCase() === 'quit') quits.add(source) })

  let atExit = { wsOpen: -1, wsCloseCodes: [] as number[], quits: [] as string[] }
  const shutdown = await sigtermUnderLoad(server, () => { atExit = { wsOpen: fake.wsConnections(), wsCloseCodes: fake.wsCloseCodes(), quits: [...quits] } })
  const store = new RedisTcaStore({ redis, prefix, retentionMs: 86_400_000 })
  await checkRecords(t, store, shutdown, server.output())
  t.equal(atExit.wsOpen, 0, 'no WebSocket left open when the process exited')
  t.ok(atExit.wsCloseCodes.length >= 1 && atExit.wsCloseCodes.every((code) => code === 1000 || code === 1005), `the tape sent a close frame before exiting (codes ${atExit.wsCloseCodes.join(', ')}; 1006 = none)`)
  for (const addr of theirs) t.ok(atExit.quits.includes(addr), `Redis connection ${addr} sent QUIT before the process exited`)
})
