import t from 'tap'
import { request } from 'undici'
import { startFake, getJson } from './fetch-json.js'

const KLINE = '/v5/market/kline?category=linear&symbol=BTCUSDT&interval=1&limit=20'
const TICKER = '/v5/market/tickers?category=linear&symbol=BTCUSDT'

t.test('rate-limit: HTTP 200, retCode 10006 and the reset header at nowMs + resetInMs, then normal', async (t) => {
  const fake = await startFake(t)
  fake.addFault({ path: '/v5/market/kline', times: 1, fault: { kind: 'rate-limit', resetInMs: 2000 } })
  const res = await fetch(fake.restUrl + KLINE)
  t.equal(res.status, 200)
  t.equal(res.headers.get('x-bapi-limit-reset-timestamp'), String(fake.nowMs() + 2000))
  t.equal(res.headers.get('x-bapi-limit-status'), '0')
  t.ok(res.headers.get('x-bapi-limit') !== null)
  const body = await res.json() as { retCode: number, retMsg: string }
  t.equal(body.retCode, 10006)
  t.equal(body.retMsg, 'Too many visits!')
  t.equal((await getJson(fake, KLINE)).retCode, 0, 'times: 1 is used up')
})

t.test('http-status: each status with a non-JSON body; path filter leaves other paths alone', async (t) => {
  const fake = await startFake(t)
  for (const status of [403, 429, 500, 502, 503] as const) {
    fake.addFault({ path: '/v5/market/kline', times: 1, fault: { kind: 'http-status', status } })
    t.equal((await getJson(fake, TICKER)).retCode, 0, 'tickers unaffected')
    const res = await request(fake.restUrl + KLINE)
    t.equal(res.statusCode, status)
    t.notMatch(res.headers['content-type'], /json/)
    await res.body.text()
  }
})

t.test('venue-error: HTTP 200 with the given retCode and retMsg', async (t) => {
  const fake = await startFake(t)
  fake.addFault({ fault: { kind: 'venue-error', retCode: 10001, retMsg: 'params error: symbol invalid' } })
  const body = await getJson(fake, TICKER)
  t.same([body.retCode, body.retMsg, body.result], [10001, 'params error: symbol invalid', {}])
  t.equal((await getJson(fake, KLINE)).retCode, 10001, 'no times: applies forever, to every path')
  fake.clearFaults()
  t.equal((await getJson(fake, KLINE)).retCode, 0, 'clearFaults disarms')
})

t.test('slow: a client timeout fires first; a short delay still answers in full', async (t) => {
  const fake = await startFake(t)
  fake.addFault({ times: 1, fault: { kind: 'slow', delayMs: 60_000 } })
  await t.rejects(fetch(fake.restUrl + KLINE, { signal: AbortSignal.timeout(100) }), { name: 'TimeoutError' })
  fake.addFault({ times: 1, fault: { kind: 'slow', delayMs: 20 } })
  t.equal((await getJson(fake, KLINE)).result.list.length, 20)
  // close() must not wait for the pending 60 s answer (teardown would time the test out)
})

t.test('reset: the socket is destroyed without a response', async (t) => {
  const fake = await startFake(t)
  fake.addFault({ times: 1, fault: { kind: 'reset' } })
  const error = await fetch(fake.restUrl + KLINE).then(() => undefined, (e: unknown) => e as Error & { cause?: { code?: string } })
  t.ok(error instanceof TypeError, 'fetch failed')
  t.match(error?.cause?.code, /UND_ERR_SOCKET|ECONNRESET/)
  t.equal((await getJson(fake, KLINE)).retCode, 0)
})

t.test('malformed-json: a truncated JSON body with status 200', async (t) => {
  const fake = await startFake(t)
  fake.addFault({ times: 1, fault: { kind: 'malformed-json' } })
  const res = await fetch(fake.restUrl + KLINE)
  t.equal(res.status, 200)
  const text = await res.text()
  t.ok(text.startsWith('{"retCode":0'), 'starts like a real body')
  t.throws(() => JSON.parse(text), SyntaxError)
})

t.test('bad-number: one numeric string becomes "abc" (kline column, ticker field, book side)', async (t) => {
  const fake = await startFake(t)
  fake.addFault({ path: '/v5/market/kline', times: 1, fault: { kind: 'bad-number', field: 'close' } })
  const list = (await getJson(fake, KLINE)).result.list as string[][]
  const spoiled = list.filter((row) => row.includes('abc'))
  t.equal(spoiled.length, 1, 'exactly one row')
  t.equal(spoiled[0][4], 'abc', 'in the close column')
  t.not(list[0][4], 'abc', 'not in the open candle a client drops')
  fake.addFault({ path: '/v5/market/tickers', times: 1, fault: { kind: 'bad-number', field: 'bid1Price' } })
  t.equal((await getJson(fake, TICKER)).result.list[0].bid1Price, 'abc')
  fake.addFault({ path: '/v5/market/orderbook', times: 1, fault: { kind: 'bad-number', field: 'b' } })
  const book = (await getJson(fake, '/v5/market/orderbook?category=linear&symbol=XRPUSDT&limit=5')).result
  t.equal(book.b.filter((l: string[]) => l[0] === 'abc').length, 1)
  fake.addFault({ times: 1, fault: { kind: 'bad-number', field: 'noSuchField' } })
  t.equal((await fetch(fake.restUrl + TICKER)).status, 500, 'a field the response lacks is a loud test error')
})

t.test('kline-gap: bars missing from the middle, open candle and oldest bar kept; other paths unaffected', async (t) => {
  const fake = await startFake(t)
  fake.addFault({ times: 1, fault: { kind: 'kline-gap', missingBars: 3 } })
  t.equal((await getJson(fake, TICKER)).retCode, 0, 'a kline-gap rule does not match tickers (and is not used up)')
  const list = (await getJson(fake, KLINE)).result.list as string[][]
  t.equal(list.length, 17)
  const steps = list.slice(1).map((row, i) => Number(list[i][0]) - Number(row[0]))
  t.same(steps.filter((s) => s !== 60_000), [4 * 60_000], 'one hole of 3 missing minutes')
  t.equal((await getJson(fake, KLINE)).result.list.length, 20, 'used up')
})

t.test('rules apply in order of addition, one per request, times decrementing', async (t) => {
  const fake = await startFake(t)
  fake.addFault({ times: 2, fault: { kind: 'rate-limit', resetInMs: 10 } })
  fake.addFault({ times: 1, fault: { kind: 'http-status', status: 503 } })
  const outcomes: Array<number | string> = []
  for (let i = 0; i < 4; i++) {
    const res = await fetch(fake.restUrl + KLINE)
    outcomes.push(res.status === 200 ? (await res.json() as { retCode: number }).retCode : `http ${res.status}`)
  }
  t.same(outcomes, [10006, 10006, 'http 503', 0])
  t.equal(fake.requests.length, 4, 'every request is logged, faulted or not')
  t.ok(fake.requests.every((r, i) => i === 0 || r.atMs >= fake.requests[i - 1].atMs), 'atMs is wall-clock, non-decreasing')
  t.throws(() => fake.addFault({ times: -1, fault: { kind: 'reset' } }), RangeError)
})

t.test('a rule with a query faults only the requests whose parameters match it', async (t) => {
  const fake = await startFake(t)
  fake.addFault({ path: '/v5/market/kline', query: { interval: '60' }, fault: { kind: 'http-status', status: 502 } })
  const status = async (query: string) => (await fetch(`${fake.restUrl}/v5/market/kline?category=linear&symbol=BTCUSDT&${query}`)).status
  t.equal(await status('interval=60&limit=720'), 502, 'the hourly klines are faulted')
  t.equal(await status('interval=1&limit=5'), 200, 'the 1-minute klines are not')
  t.equal(await status('limit=5'), 200, 'nor a request without the parameter')
})
