import t from 'tap'
import { readCsv } from '../../scripts/lib/csv.js'
import { resolveDataDir } from '../../scripts/lib/data-dir.js'
import path from 'node:path'
import { startFake, getJson, readDataJson } from './fetch-json.js'

// Recorded facts (bybit-btcusd-inverse-1m-klines/PROVENANCE.md): 2,012 bars, first 2025-03-19 21:21 UTC,
// last 2025-03-21 06:52 UTC (1742539920000), last close 84047.8.
const FIRST_START_MS = 1742419260000
const LAST_START_MS = 1742539920000
const LAST_CLOSE = 84047.8
const isDecimalString = (x: unknown): boolean => typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x)

t.test('envelope: key order, retCode and time are numbers, time is the fake clock', async (t) => {
  const fake = await startFake(t)
  const res = await fetch(`${fake.restUrl}/v5/market/kline?category=linear&symbol=BTCUSDT&interval=1&limit=2`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /application\/json/)
  const body = await res.json() as Record<string, unknown>
  t.same(Object.keys(body), ['retCode', 'retMsg', 'result', 'retExtInfo', 'time'], 'SHAPES.md envelope order')
  t.equal(body.retCode, 0)
  t.equal(body.retMsg, 'OK')
  t.same(body.retExtInfo, {})
  t.equal(body.time, fake.nowMs())
  t.equal(fake.nowMs(), LAST_START_MS + 60_000, 'default clock: one minute after the last recorded bar')
  t.same(fake.requests.map((r) => r.path), ['/v5/market/kline'])
  t.same(fake.requests[0].query, { category: 'linear', symbol: 'BTCUSDT', interval: '1', limit: '2' })
})

t.test('inverse BTCUSD 1m equals the verbatim recorded response (raw/data1000_20250321b.json)', async (t) => {
  const fake = await startFake(t)
  const raw = await readDataJson('bybit-btcusd-inverse-1m-klines/raw/data1000_20250321b.json')
  // The raw list[0] was the open candle at capture time (06:53); list[1..999] are closed bars 06:52 back to 14:14.
  const body = await getJson(fake, '/v5/market/kline?category=inverse&symbol=BTCUSD&interval=1&limit=1000')
  t.same(Object.keys(body.result), ['symbol', 'category', 'list'])
  t.equal(body.result.symbol, 'BTCUSD')
  t.equal(body.result.category, 'inverse')
  const list = body.result.list as string[][]
  t.equal(list.length, 1000)
  t.same(list.slice(1), raw.result.list.slice(1), 'closed bars identical, string for string')
  t.equal(list[0][0], String(LAST_START_MS + 60_000), 'list[0] is the open candle containing nowMs')
  t.same(list[0].slice(1), ['84047.8', '84047.8', '84047.8', '84047.8', '0', '0'], 'past the recording: flat at the last close, no volume')
})

t.test('linear BTCUSDT: prices as recorded, volume = recorded turnover (BTC), turnover = recorded volume (USD)', async (t) => {
  const fake = await startFake(t)
  const table = await readCsv(path.join(resolveDataDir(), 'bybit-btcusd-inverse-1m-klines/klines_1m.csv'))
  const last = table.rows[table.rows.length - 1] // start,utc,open,high,low,close,volume,turnover
  const body = await getJson(fake, `/v5/market/kline?category=linear&symbol=BTCUSDT&interval=1&end=${LAST_START_MS}&limit=1`)
  t.same(body.result.list, [[last[0], last[2], last[3], last[4], last[5], last[7], last[6]]])
  const all = await getJson(fake, '/v5/market/kline?category=linear&symbol=BTCUSDT&interval=1&limit=5')
  for (const row of all.result.list) {
    t.equal(row.length, 7)
    t.ok(row.every(isDecimalString), `every field a decimal string: ${row.join(',')}`)
  }
  const starts = all.result.list.map((row: string[]) => Number(row[0]))
  t.same(starts, [...starts].sort((a, b) => b - a), 'newest first')
})

t.test('linear ETHUSDT: prices / 31.3 on a 0.01 tick, volume x 31.3 so that USD turnover is unchanged', async (t) => {
  const fake = await startFake(t)
  const eth = (await getJson(fake, `/v5/market/kline?category=linear&symbol=ETHUSDT&interval=1&end=${LAST_START_MS}&limit=1`)).result.list[0]
  const btc = (await getJson(fake, `/v5/market/kline?category=linear&symbol=BTCUSDT&interval=1&end=${LAST_START_MS}&limit=1`)).result.list[0]
  t.equal(eth[4], (LAST_CLOSE / 31.3).toFixed(2), '84047.8 / 31.3 = 2685.23 (symbols.ts divisor)')
  t.equal(eth[6], btc[6], 'turnover (USD) unchanged')
  t.ok(Math.abs(Number(eth[5]) - Number(btc[5]) * 31.3) < 1e-8, 'volume scaled by 31.3 (1e-8 base units, the formatting)')
})

t.test('interval D and 60 aggregate the 1-minute bars by UTC bucket', async (t) => {
  const fake = await startFake(t)
  const table = await readCsv(path.join(resolveDataDir(), 'bybit-btcusd-inverse-1m-klines/klines_1m.csv'))
  // Independent check from the CSV: group rows by the UTC date in start_time_utc.
  const byDay = new Map<string, string[][]>()
  for (const row of table.rows) {
    const day = row[1].slice(0, 10)
    byDay.set(day, [...(byDay.get(day) ?? []), row])
  }
  const daily = (await getJson(fake, '/v5/market/kline?category=inverse&symbol=BTCUSD&interval=D')).result.list as string[][]
  t.same(daily.map((r) => new Date(Number(r[0])).toISOString().slice(0, 10)), ['2025-03-21', '2025-03-20', '2025-03-19'])
  for (const row of daily.slice(1)) {
    const rows = byDay.get(new Date(Number(row[0])).toISOString().slice(0, 10)) ?? []
    t.equal(row[1], rows[0][2], 'open = first minute open')
    t.equal(row[4], rows[rows.length - 1][5], 'close = last minute close')
    t.equal(Number(row[2]), Math.max(...rows.map((r) => Number(r[3]))), 'high = max')
    t.equal(Number(row[3]), Math.min(...rows.map((r) => Number(r[4]))), 'low = min')
    t.equal(Number(row[5]), rows.reduce((s, r) => s + Number(r[6]), 0), 'USD volume sums exactly (integers)')
    t.ok(Math.abs(Number(row[6]) - rows.reduce((s, r) => s + Number(r[7]), 0)) < 1e-6, 'BTC turnover sum (1e-6)')
  }
  t.equal(daily[2][0], String(Date.UTC(2025, 2, 19)), 'first daily bar is the 03-19 bucket, holding only 21:21-23:59')
  const hourly = (await getJson(fake, '/v5/market/kline?category=linear&symbol=BTCUSDT&interval=60&limit=3')).result.list as string[][]
  t.same(hourly.map((r) => Number(r[0]) % 3_600_000), [0, 0, 0], 'hour-aligned')
  t.equal(Number(hourly[0][0]), Date.UTC(2025, 2, 21, 6), 'open hourly candle 06:00 contains nowMs 06:53')
  t.equal(hourly[0][4], '84047.8', 'its close is the latest close')
})

t.test('start/end/limit: the bar containing start is included, newest limit bars win, open candle only when end reaches it', async (t) => {
  const fake = await startFake(t)
  const start = FIRST_START_MS + 10 * 60_000 + 30_000 // mid-minute
  const body = await getJson(fake, `/v5/market/kline?category=linear&symbol=BTCUSDT&interval=1&start=${start}&end=${FIRST_START_MS + 20 * 60_000}`)
  const starts = body.result.list.map((r: string[]) => Number(r[0]))
  t.equal(starts.length, 11, 'minutes 10..20 inclusive')
  t.equal(starts[0], FIRST_START_MS + 20 * 60_000)
  t.equal(starts[starts.length - 1], FIRST_START_MS + 10 * 60_000)
  const limited = await getJson(fake, `/v5/market/kline?category=linear&symbol=BTCUSDT&interval=1&start=${FIRST_START_MS}&limit=3`)
  t.same(limited.result.list.map((r: string[]) => Number(r[0])), [LAST_START_MS + 60_000, LAST_START_MS, LAST_START_MS - 60_000])
  const closedOnly = await getJson(fake, `/v5/market/kline?category=linear&symbol=BTCUSDT&interval=1&end=${LAST_START_MS + 59_999}&limit=2`)
  t.equal(closedOnly.result.list[0][0], String(LAST_START_MS), 'end before the open candle start: no open candle')
  const before = await getJson(fake, `/v5/market/kline?category=linear&symbol=BTCUSDT&interval=1&end=${FIRST_START_MS - 1}`)
  t.same(before.result.list, [], 'nothing before the recording')
  t.equal((await getJson(fake, '/v5/market/kline?category=linear&symbol=BTCUSDT&interval=1')).result.list.length, 200, 'default limit 200')
})

t.test('setNowMs moves the open candle; no bar after nowMs is served', async (t) => {
  const fake = await startFake(t)
  const mid = FIRST_START_MS + 100 * 60_000 + 15_000
  fake.setNowMs(mid)
  const list = (await getJson(fake, '/v5/market/kline?category=linear&symbol=BTCUSDT&interval=1&limit=3')).result.list
  t.equal(Number(list[0][0]), FIRST_START_MS + 100 * 60_000, 'open candle = the recorded bar containing nowMs')
  fake.setNowMs(LAST_START_MS + 10 * 60_000)
  const later = (await getJson(fake, `/v5/market/kline?category=linear&symbol=BTCUSDT&interval=1&start=${LAST_START_MS}`)).result.list
  t.equal(later.length, 11, 'gap-free: minutes after the recording are flat filler bars')
  t.ok(later.slice(0, 10).every((r: string[]) => r[4] === '84047.8' && r[5] === '0'))
  t.throws(() => fake.setNowMs(Number.NaN), RangeError)
})

t.test('kline params errors: retCode 10001 with HTTP 200', async (t) => {
  const fake = await startFake(t)
  for (const query of ['interval=7', 'interval=W', 'interval=1&limit=1001', 'interval=1&limit=0', 'interval=1&start=abc']) {
    const res = await fetch(`${fake.restUrl}/v5/market/kline?category=linear&symbol=BTCUSDT&${query}`)
    t.equal(res.status, 200, query)
    const body = await res.json() as { retCode: number, retMsg: string, result: unknown }
    t.equal(body.retCode, 10001, query)
    t.match(body.retMsg, /^params error/, query)
    t.same(body.result, {})
  }
  t.equal((await getJson(fake, '/v5/market/kline?category=inverse&symbol=ETHUSD&interval=1')).retCode, 10001, 'only BTCUSD inverse')
  t.equal((await getJson(fake, '/v5/market/kline?category=linear&interval=1')).retCode, 10001, 'symbol required')
  t.equal((await fetch(`${fake.restUrl}/v5/market/nope`)).status, 404)
})
